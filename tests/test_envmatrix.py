"""tools/envmatrix.py, the version matrix, without running it (it builds environments of
several GB): its rows are the ones issue 26 asks for, read against the supported range
that support/versions.py enforces; it runs every lesson; it judges an out-of-range
run by the one line it must end in."""
import importlib.util

from helpers import LESSONS, REPO_ROOT
from support import versions


def envmatrix():
    spec = importlib.util.spec_from_file_location("envmatrix", REPO_ROOT / "tools" / "envmatrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def supported(torch):
    return versions.OLDEST_TORCH <= versions.parse(torch)[:2] <= versions.NEWEST_TORCH


def test_rows_span_the_supported_range_on_its_pythons_and_one_pair_below():
    matrix = envmatrix()
    rows = [(tuple(map(int, py.split("."))), torch, vision, where) for _n, py, torch, vision, _np, where in matrix.MATRIX]
    for python, torch, vision, where in rows:
        assert vision == versions.torchvision_for(torch), (torch, vision)        # matched pairs only
        assert (where == matrix.BELOW) == (not supported(torch)), (torch, where)
    inside = [(python, torch) for python, torch, _v, where in rows if where == matrix.IN]
    oldest = min(inside, key=lambda row: versions.parse(row[1]))[1]
    newest = max(inside, key=lambda row: versions.parse(row[1]))[1]
    assert versions.parse(oldest)[:2] == versions.OLDEST_TORCH
    assert newest == versions.NEWEST_PAIR[0]
    for pair in (oldest, newest):
        pythons = sorted(python for python, torch in inside if torch == pair)
        assert pythons[0] == versions.OLDEST_PYTHON and len(pythons) >= 2, (pair, pythons)
    assert (versions.NEWEST_PYTHON, newest) in inside
    middle = [torch for _p, torch in inside if torch not in (oldest, newest)]
    assert middle, "a pair from the middle of the range"
    assert [where for *_r, where in rows].count(matrix.BELOW) >= 1
    assert any(np_ == "numpy>=2" and versions.parse(torch)[:2] < versions.NUMPY2_FROM_TORCH
               for _n, _p, torch, _v, np_, _w in matrix.MATRIX)          # numpy 2 under an old torchvision


def test_it_runs_every_lesson_with_the_smoke_tests_flags():
    smoke, after = envmatrix().smoke_table(REPO_ROOT)
    assert sorted(smoke) == LESSONS
    assert after["p31_predict"] == "p26_train"
    assert "--tiny" in smoke["p26_train"][0]


def test_an_out_of_range_run_passes_only_with_one_line_and_no_traceback():
    one_line = envmatrix().one_line
    fix = "torch 1.13.1: 课程需要 torch 2.0 到 2.14；换成：python -m pip install torch==2.14.1 torchvision==0.29.1\n"
    assert one_line(1, "", fix)
    assert not one_line(0, fix, "")                                            # it must not go on as if fine
    assert not one_line(1, "", "Traceback (most recent call last):\n  ...\nAttributeError: x\n")
    assert not one_line(1, "P18 神经网络 - 最大池化的使用\n", fix)                  # the lesson started first
    assert not one_line("timeout", "", fix)


def test_the_table_has_a_row_per_environment_and_a_column_per_check():
    matrix = envmatrix()
    result = {"name": "torch2.0.1-tv0.15.2-py3.10", "python": "3.10", "versions": "2.0.1 / 0.15.2 / 1.26.4",
              "where": matrix.IN, "cells": {"lessons": "26/26", "pip -r": "torch kept"}}
    header, rule, row = matrix.table([result]).splitlines()
    assert header.count("|") == row.count("|") == len(matrix.COLUMNS) + 7
    assert "26/26" in row and "torch kept" in row
