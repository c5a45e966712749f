"""The .bin/.idx pair, read by a reader written here from the Megatron-LM indexed-dataset format's
description (``MMapIndexedDataset``: megatron/core/datasets/indexed_dataset.py), with struct and
numpy.frombuffer only, none of the project's code: what Megatron-LM, NeMo and GPT-NeoX would read.

    .idx: b"MMIDIDX\\x00\\x00" | u64 version = 1 | u8 dtype code | u64 sequence count N
          | u64 document index length | i32[N] sizes | i64[N] byte pointers | i64[...] document index
    .bin: the tokens, little-endian, of the dtype the code names (4 = int32, 8 = uint16)
"""
from __future__ import annotations

import struct

import numpy as np
import pytest
import sentencepiece as spm

from datacleaning.config import load_config
from datacleaning.stages import run_stage
from helpers import kept_fixture_shards

MEGATRON_DTYPES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32,
                   8: np.uint16}


def read_megatron(prefix) -> dict:
    """Every field of an MMIDIDX pair, checked for consistency as Megatron's IndexedDataset checks it."""
    index = open(f"{prefix}.idx", "rb").read()
    data = open(f"{prefix}.bin", "rb").read()
    assert index[:9] == b"MMIDIDX\x00\x00"
    (version,) = struct.unpack("<Q", index[9:17])
    (code,) = struct.unpack("<B", index[17:18])
    sequences, document_entries = struct.unpack("<QQ", index[18:34])
    offset = 34
    sizes = np.frombuffer(index, dtype="<i4", count=sequences, offset=offset)
    offset += 4 * sequences
    pointers = np.frombuffer(index, dtype="<i8", count=sequences, offset=offset)
    offset += 8 * sequences
    documents = np.frombuffer(index, dtype="<i8", count=document_entries, offset=offset)
    offset += 8 * document_entries
    assert offset == len(index), "nothing after the document index"
    dtype = np.dtype(MEGATRON_DTYPES[code]).newbyteorder("<")
    tokens = np.frombuffer(data, dtype=dtype)
    assert documents[-1] == sequences, "Megatron asserts sizes.shape[0] == document_indices[-1]"
    return {"version": version, "code": code, "dtype": dtype, "sizes": sizes, "pointers": pointers,
            "documents": documents, "tokens": tokens, "bin_bytes": len(data)}


def sequence(read: dict, i: int) -> np.ndarray:
    """Sequence i the way Megatron reads it: ``sizes[i]`` tokens from byte ``pointers[i]``."""
    start = int(read["pointers"][i]) // read["dtype"].itemsize
    return read["tokens"][start:start + int(read["sizes"][i])]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("input")
    return folder, kept_fixture_shards(folder)


def _tokenize(folder, output, model, **tokenize):
    overrides = [(["run", "workers"], 2), (["run", "progress"], False), (["tokenize", "unit_bytes"], 4000),
                 (["tokenize", "model"], str(model))]
    overrides += [(["tokenize", key], value) for key, value in tokenize.items()]
    result = run_stage("tokenize", load_config(None, overrides), folder, output)
    assert result.ok, result.stats
    return result


@pytest.mark.parametrize("dtype, code", [("auto", 8), ("int32", 4)])
def test_an_independent_reader_finds_every_document(corpus, spm_model, tmp_path, dtype, code):
    folder, docs = corpus
    _tokenize(folder, tmp_path, spm_model, dtype=dtype)
    read = read_megatron(tmp_path / "tokens")
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    expected = [processor.encode(doc["text"]) + [processor.eos_id()] for doc in docs]
    assert read["version"] == 1 and read["code"] == code
    assert len(read["sizes"]) == len(docs)
    assert read["sizes"].tolist() == [len(ids) for ids in expected]
    itemsize = read["dtype"].itemsize
    assert read["pointers"].tolist() == (np.cumsum([0] + read["sizes"].tolist()[:-1]) * itemsize).tolist()
    assert read["documents"].tolist() == list(range(len(docs) + 1)), "one sequence per document"
    assert read["bin_bytes"] == sum(map(len, expected)) * itemsize
    assert [sequence(read, i).tolist() for i in range(len(docs))] == expected


def test_shuffled_output_is_a_valid_pair_of_the_same_documents(corpus, spm_model, tmp_path):
    folder, docs = corpus
    _tokenize(folder, tmp_path / "plain", spm_model)
    _tokenize(folder, tmp_path / "shuffled", spm_model, shuffle=True, seed=11)
    plain, shuffled = read_megatron(tmp_path / "plain" / "tokens"), read_megatron(tmp_path / "shuffled" / "tokens")
    assert shuffled["pointers"].tolist() == (np.cumsum([0] + shuffled["sizes"].tolist()[:-1]) * 2).tolist()
    assert sorted(tuple(sequence(shuffled, i).tolist()) for i in range(len(docs))) == \
        sorted(tuple(sequence(plain, i).tolist()) for i in range(len(docs)))
    assert shuffled["bin_bytes"] == plain["bin_bytes"]
