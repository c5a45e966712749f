"""``python -m datacleaning``: the same command line as the ``datacleaning`` script."""
import sys

from datacleaning.cli import main

if __name__ == "__main__":
    sys.exit(main())
