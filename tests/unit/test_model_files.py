"""Every reader of a model file (the quality classifier, the reference LM, the line classifier)
refuses what is not its model with its own clear error, and a missing file as missing: they share
datacleaning/model_files.read_npz, checked here through each of them."""
from __future__ import annotations

import numpy as np
import pytest

from datacleaning.main_text.model import LineClassifierFileError, read_line_classifier
from datacleaning.quality.model import ClassifierFileError, read_classifier
from datacleaning.reference_lm.model import ReferenceLMFileError, read_reference_lm

READERS = [(read_classifier, ClassifierFileError, "not a quality classifier"),
           (read_reference_lm, ReferenceLMFileError, "not a reference language model"),
           (read_line_classifier, LineClassifierFileError, "not a line classifier")]


@pytest.mark.parametrize(("read", "error", "message"), READERS)
def test_a_file_that_is_not_the_model_is_a_clear_error(tmp_path, read, error, message):
    text = tmp_path / "model.npz"
    text.write_text("weights", encoding="utf-8")
    with pytest.raises(error, match=message):
        read(text)
    other_arrays = tmp_path / "other.npz"
    np.savez(other_arrays, something=np.zeros(3))
    with pytest.raises(error, match=message):
        read(other_arrays)
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "missing.npz")
