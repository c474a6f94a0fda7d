"""练一练 (exercises/): the checker run as a learner runs it, `python exercises/check.py ...`.

Every untouched exercise fails every task, every reference solution passes,
per section an answer written differently from the solution passes and a
plausible wrong one fails only its task, pointing at the lesson line that
teaches it; broken and endless files end in one line. Few runs, each
checking many files (the checker forks one child per file).
"""
import itertools
import os
import re
import signal
import sys
import time

import pytest

from helpers import REPO_ROOT, module_at, run_python, run_python_many
from support import i18n

EXERCISES = REPO_ROOT / "exercises"
CHECK = EXERCISES / "check.py"
SECTIONS = sorted(p.name for p in EXERCISES.glob("p[0-9][0-9]_*.py"))
ROW = re.compile(r"^\s+(p\d\d_\w+\.py)\s+(\d+)/(\d+)\s", re.M)


def checks_module():
    """exercises/checks.py, imported once by its path (it is not on the tests' path)."""
    return module_at("checks", EXERCISES / "checks.py")


def reports(out):
    """{file as shown: its report's lines} for the files that ran."""
    found, current = {}, None
    for line in out.splitlines():
        if line and not line[0].isspace() and line.endswith(".py"):
            current = found.setdefault(line, [])
        elif line.startswith(" ") and current is not None and not ROW.match(line + " "):
            current.append(line)
        else:
            current = None
    return {name: "\n".join(lines) for name, lines in found.items()}


def rows(out):
    """[(file name, right, total)] from the progress table, in the order the files were given."""
    return [(name, int(right), int(total)) for name, right, total in ROW.findall(out)]


def lesson_place(section, number):
    checks = checks_module()
    one = checks.TASKS[section][number - 1]
    return checks.lesson_line(one.lesson, one.anchor)


# Per section: an answer written differently from the solution (must pass),
# and a plausible mistake (must fail exactly task N, and the output must carry `fact`).
RIGHT = {
    "p06_dataset.py": [("return len(self.img_path)", "return sum(1 for _name in self.img_path)"),
                       ("return ants_dataset + bees_dataset", "return bees_dataset + ants_dataset")],
    "p08_tensorboard.py": [('writer.add_scalar("y=3x", 3 * i, i)',
                            'writer.add_scalar(tag="y=3x", global_step=i, scalar_value=i * 3)'),
                           ("writer.add_image(\"train\", img_array, 1, dataformats='HWC')",
                            'writer.add_image("train", img_array.transpose(2, 0, 1), 1)')],
    "p09_transforms.py": [("return transforms.ToTensor()(img)",
                           "return torch.from_numpy(np.array(img)).permute(2, 0, 1).float() / 255"),
                          ("transforms.Resize(20)", "transforms.Resize(size=20, antialias=True)")],
    "p14_dataloader.py": [("batches = 156", "batches = 10000 // 64"),
                          ("DataLoader(dataset, batch_size=4, shuffle=True, drop_last=True)",
                           "DataLoader(dataset=dataset, drop_last=True, shuffle=True, batch_size=4)")],
    "p15_nn_module.py": [("output = input * 2 + 1", "output = input + input + 1"),
                         ("        super().__init__()\n        self.linear", "        nn.Module.__init__(self)\n        self.linear")],
    "p16_nn_conv.py": [("corner = 10", "corner = 1*1 + 2*2 + 0*1 + 0*0 + 1*1 + 2*0 + 1*2 + 2*1 + 1*0"),
                       ("stride = 2", "stride = 3"), ("padding = 0", "padding = 1"),
                       ("return (size + 2 * padding - kernel) // stride + 1",
                        "return int((size - kernel + padding * 2) / stride) + 1")],
    "p17_conv2d.py": [("kernel_size=3, stride=1, padding=1)", "kernel_size=5, stride=1, padding=2)"),
                      ("Conv2d(3, 16, 3, stride=2, padding=1)", "Conv2d(3, 16, kernel_size=2, stride=2)")],
    "p18_maxpool.py": [("pool11 = MaxPool2d(kernel_size=3, ceil_mode=True)", "pool11 = MaxPool2d(3, padding=1)")],
    "p19_relu.py": [("activation = Sigmoid()", "activation = lambda x: 1 / (1 + (-x).exp())")],
    "p20_linear.py": [("return torch.flatten(imgs, start_dim=1)", "return imgs.reshape(imgs.shape[0], -1)")],
    "p21_seq.py": [("model = Sequential(", "model = Sequential(Flatten(), Linear(3072, 10))\nunused = Sequential(")],
    "p22_loss.py": [("loss_fn = L1Loss(reduction='sum')", "loss_fn = lambda a, b: (a - b).abs().sum()")],
    "p23_optim.py": [("lr = 0.5", "lr = 0.3")],
    "p24_vgg.py": [("vgg.classifier[6] = nn.Linear(4096, 10)", 'vgg.classifier.add_module("7", nn.Linear(1000, 10))')],
    "p25_save_load.py": [("torch.save(model.state_dict(), path)", "torch.save(model, path)"),
                         ("    model = Tudui()\n    # 练一练：少了一步：把文件里的参数放进 model\n"
                          "    model.load_state_dict(torch.load(path, weights_only=True))\n    return model",
                          "    return torch.load(path, weights_only=False)")],
    "p26_train.py": [("preds = outputs.argmax(1)", "preds = outputs.max(dim=1).indices")],
    "p31_predict.py": [("return output.argmax(1).item()", "return int(torch.argmax(output, dim=1))")],
}
WRONG = {   # file: (edits, the task that must fail, a fact its report must carry)
    "p06_dataset.py": ([("return ants_dataset + bees_dataset", "return ants_dataset + ants_dataset")], 2, "6"),
    "p08_tensorboard.py": ([('writer.add_scalar("y=3x", 3 * i, i)', 'writer.add_scalar("y=3x", i, 3 * i)')], 1,
                           "global_step"),
    "p09_transforms.py": ([("transforms.Resize(20)", "transforms.Resize((30, 20))")], 4, "(20, 30)"),
    "p14_dataloader.py": ([("batches = 156", "batches = 157")], 1, "drop_last=True"),
    "p15_nn_module.py": ([("output = input * 2 + 1", "output = (input + 1) * 2")], 1, "[4.0, -2.0, 3.0]"),
    "p16_nn_conv.py": ([("(size + 2 * padding - kernel)", "(size + padding - kernel)")], 3, "padding=1"),
    "p17_conv2d.py": ([("kernel_size=3, stride=1, padding=1)", "kernel_size=3, stride=1, padding=2)")], 1,
                      "[64, 6, 34, 34]"),
    "p18_maxpool.py": ([("pool11 = MaxPool2d(kernel_size=3, ceil_mode=True)", "pool11 = MaxPool2d(3, stride=2)")], 2,
                       "[64, 3, 15, 15]"),
    "p19_relu.py": ([("input_changed = True", "input_changed = False")], 2, "inplace=True"),
    "p20_linear.py": ([("Linear(3072, 10)", "Linear(1024, 10)")], 2, "3072"),
    "p21_seq.py": ([("flat_features = 1024", "flat_features = 64 * 4")], 3, "256"),
    "p22_loss.py": ([("loss_fn = L1Loss(reduction='sum')", "loss_fn = nn.MSELoss(reduction='sum')")], 1, "4.0"),
    "p23_optim.py": ([("lr = 0.5", "lr = 5.0")], 1, None),
    "p24_vgg.py": ([("new_layer_parameters = 4096 * 10 + 10", "new_layer_parameters = 4096 * 10")], 2, "40970"),
    "p25_save_load.py": ([("nn.Linear(8, 3)", "nn.Linear(8, 4)")], 2, "size mismatch"),
    "p26_train.py": ([("preds = outputs.argmax(1)", "preds = outputs.argmax(0)")], 1, "argmax(1)"),
    "p31_predict.py": ([("    model.eval()\n", "")], 2, "model.eval()"),
}


# Answers as the testers wrote them: right ones an older checker refused (each must pass every
# task), and wrong ones it took (each must fail exactly its task; `fact` must be said, `never` must not).
OTHER_RIGHT = {
    "p09_inplace.py": ("p09_transforms.py", [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                                              "normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], "
                                              "inplace=True)")]),
    "p14_workers.py": ("p14_dataloader.py", [("drop_last=True)", "drop_last=True, num_workers=2)")]),
    "p18_functional.py": ("p18_maxpool.py", [("pool = MaxPool2d(kernel_size=3, ceil_mode=True)",
                                              "import torch.nn.functional as F\n"
                                              "pool = lambda x: F.max_pool2d(x, kernel_size=[3, 3], ceil_mode=True)"),
                                             ("pool11 = MaxPool2d(kernel_size=3, ceil_mode=True)",
                                              "pool11 = MaxPool2d(kernel_size=[3, 3], padding=1)")]),
    "p20_named.py": ("p20_linear.py", [("    return torch.flatten(imgs, start_dim=1)",
                                        "    pictures_in_batch = imgs.shape[0]\n    return imgs.view(pictures_in_batch, -1)")]),
}
OTHER_WRONG = {   # file: (solution it starts from, edits, the task that must fail, fact or None, never or None)
    "p06_label.py": ("p06_dataset.py", [("label = self.label_dir", 'label = "ants"')], 1, "label_dir", None),
    "p16_three.py": ("p16_nn_conv.py", [("    return (size + 2 * padding - kernel) // stride + 1", "    return 3")],
                     3, None, None),
    "p18_copied.py": ("p18_maxpool.py", [("pool = MaxPool2d(kernel_size=3, ceil_mode=True)",
                                          "pool = lambda x: __import__('torch').tensor([[[[2.0, 3.0], [5.0, 1.0]]]])")],
                      1, None, None),
    "p20_batch64.py": ("p20_linear.py", [("return torch.flatten(imgs, start_dim=1)", "return imgs.reshape(64, -1)")],
                       1, None, None),
    "p22_constant.py": ("p22_loss.py", [("loss_fn = L1Loss(reduction='sum')",
                                         "loss_fn = lambda a, b: __import__('torch').tensor(2.0)")], 1, None, None),
    "p22_dist.py": ("p22_loss.py", [("loss_fn = L1Loss(reduction='sum')",
                                     "loss_fn = lambda a, b: __import__('torch').dist(a, b)")], 1, None, None),
    "p22_summed.py": ("p22_loss.py", [("nn.CrossEntropyLoss()", "nn.CrossEntropyLoss(reduction='sum')")], 2,
                      "reduction='mean'", "nn.CrossEntropyLoss()"),
    "p09_fixed.py": ("p09_transforms.py", [("resize = transforms.Resize(20)", "resize = transforms.Resize((20, 30))")],
                     4, None, None),
    "p26_grad.py": ("p26_train.py", [("    with torch.no_grad():", "    if True:")], 2, "no_grad", None),
    "p26_mean.py": ("p26_train.py", [("return (preds == targets).sum()", "return (preds == targets).float().mean()")],
                    1, None, "argmax"),
    "p23_one.py": ("p23_optim.py", [("lr = 0.5", "lr = 1.0")], 1, None, None),
}


def write_others(folder):
    folder.mkdir()
    for name, (base, edits) in OTHER_RIGHT.items():
        (folder / name).write_text(edited((EXERCISES / "solutions" / base).read_text(encoding="utf-8"), edits),
                                   encoding="utf-8")
    for name, (base, edits, _n, _fact, _never) in OTHER_WRONG.items():
        (folder / name).write_text(edited((EXERCISES / "solutions" / base).read_text(encoding="utf-8"), edits),
                                   encoding="utf-8")


def edited(source, edits):
    for old, new in edits:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def write_variants(folder, table):
    folder.mkdir()
    for name, edits in table.items():
        source = (EXERCISES / "solutions" / name).read_text(encoding="utf-8")
        (folder / name).write_text(edited(source, edits), encoding="utf-8")


def test_every_section_has_its_file_solution_and_cases():
    assert len(SECTIONS) == 17
    assert sorted(p.name for p in (EXERCISES / "solutions").glob("p*.py")) == SECTIONS
    assert sorted(RIGHT) == SECTIONS and sorted(WRONG) == SECTIONS
    checks = checks_module()
    for name in SECTIONS:
        assert 2 <= len(checks.TASKS[name[:3]]) <= 5, name
        source = (EXERCISES / name).read_text(encoding="utf-8")
        # every task has its header and at least one marked line to change
        assert [n for _line, n in checks.task_lines(source)] == list(range(1, len(checks.TASKS[name[:3]]) + 1))
        assert source.count("# 练一练：") >= len(checks.TASKS[name[:3]]), name


def test_every_hint_points_at_a_line_of_its_lesson():
    checks = checks_module()
    for tasks in checks.TASKS.values():
        for one in tasks:
            assert re.fullmatch(r"lessons/p\d\d_\w+\.py:\d+", checks.lesson_line(one.lesson, one.anchor)), one.title


def test_untouched_fail_solutions_and_other_right_answers_pass_mistakes_fail_with_a_hint(tmp_path):
    """One run of the checker over 83 files: the exercises, the solutions, the right and wrong copies, and
    the other answers (right ones an older checker refused, wrong ones it took)."""
    write_variants(tmp_path / "right", RIGHT)
    write_variants(tmp_path / "wrong", {name: edits for name, (edits, _n, _fact) in WRONG.items()})
    write_others(tmp_path / "other")
    result = run_python(CHECK, EXERCISES, EXERCISES / "solutions", "right", "wrong", "other", cwd=tmp_path,
                        timeout=120, env=dict(os.environ, EXERCISES_PROGRESS=str(tmp_path / "progress.json")))
    out = result.stdout
    assert result.returncode != 0
    assert "Traceback" not in out + result.stderr
    table = rows(out)
    assert len(table) == 4 * len(SECTIONS) + len(OTHER_RIGHT) + len(OTHER_WRONG)
    others = {name: (right, total) for name, right, total in table[4 * len(SECTIONS):]}
    assert [name for name in OTHER_RIGHT if others[name][0] != others[name][1]] == []
    assert {name: total - right for name, (right, total) in others.items() if name in OTHER_WRONG} == \
        {name: 1 for name in OTHER_WRONG}
    said = reports(out)
    for name, (base, _edits, number, fact, never) in OTHER_WRONG.items():
        report = said[f"other/{name}"]
        blocks = [block for block in re.split(r"^(?=  \S)", report, flags=re.M) if block.strip()]
        wrong_ones = [block for block in blocks if len(block.strip().splitlines()) > 1]
        assert len(wrong_ones) == 1 and f" {number} " in wrong_ones[0].splitlines()[0], (name, report)
        mine = wrong_ones[0]
        assert lesson_place(base[:3], number) in mine, (name, mine)
        assert fact is None or fact in mine, (name, mine)
        assert never is None or never not in mine, (name, mine)
        for got, wanted in re.findall(r"得到 (.+)，应该是 (.+)$", mine, re.M):
            assert got.strip() != wanted.strip(), (name, mine)
    table = table[:4 * len(SECTIONS)]
    untouched, solved, right, wrong = (table[i * 17:(i + 1) * 17] for i in range(4))
    assert [(n, r) for n, r, _t in untouched] == [(n, 0) for n in SECTIONS]
    assert [n for n, r, t in solved if r == t] == SECTIONS
    assert [(n, r) for n, r, t in right if r != t] == []
    assert [(n, t - r) for n, r, t in wrong] == [(n, 1) for n in SECTIONS]
    said = reports(out)
    for name, (_edits, number, fact) in WRONG.items():
        report = said[f"wrong/{name}"]
        assert lesson_place(name[:3], number) in report, name
        assert fact is None or fact in report, (name, report)


def write_saved_and_hostile(folder):
    """Files as learners save them (all right), and hostile ones; {name: source text}."""
    folder.mkdir()
    solution = {name: (EXERCISES / "solutions" / name).read_text(encoding="utf-8") for name in SECTIONS}
    texts = {
        # Windows Notepad: a BOM, CRLF line ends, and tabs for indentation
        "p15_tabs.py": solution["p15_nn_module.py"].replace("    ", "\t"),
        # a GBK file that says so on its first line
        "p17_gbk.py": "# -*- coding: gbk -*-\n" + solution["p17_conv2d.py"],
        "p26_exit.py": edited(solution["p26_train.py"], [("    return (preds == targets).sum()",
                                                          "    import sys\n    sys.exit(0)")]),
        "p31_osexit.py": edited(solution["p31_predict.py"], [("    return output.argmax(1).item()",
                                                              "    import os\n    os._exit(0)")]),
        # SIGINT ignored and every exception swallowed, at import time
        "p22_sigint.py": edited(solution["p22_loss.py"], [("loss_fn = L1Loss(reduction='sum')",
                                                           "loss_fn = L1Loss(reduction='sum')\nimport signal\n"
                                                           "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                                           "while True:\n    try:\n        __import__('time').sleep(0.05)\n"
                                                           "    except BaseException:\n        pass")]),
        "p14_input.py": edited(solution["p14_dataloader.py"], [("batches = 156", "batches = int(input())")]),
    }
    (folder / "p15_tabs.py").write_bytes(b"\xef\xbb\xbf" + texts["p15_tabs.py"].replace("\n", "\r\n").encode("utf-8"))
    (folder / "p17_gbk.py").write_bytes(texts["p17_gbk.py"].encode("gbk"))
    for name in ("p26_exit.py", "p31_osexit.py", "p22_sigint.py", "p14_input.py"):
        (folder / name).write_text(texts[name], encoding="utf-8")
    return texts


def check_saved_and_hostile(out, texts, took):
    found = {name: (right, total) for name, right, total in rows(out)}
    assert found["p15_tabs.py"] == (2, 2) and found["p17_gbk.py"] == (3, 3)        # read as Python reads them
    assert found["p26_exit.py"] == (2, 3) and found["p31_osexit.py"] == (1, 2)     # only the task that exits

    def line_of(name, text):
        return next(i for i, line in enumerate(texts[name].splitlines(), 1) if text in line)
    said = reports(out)
    assert f" {line_of('p26_exit.py', 'sys.exit(0)')} " in said["more/p26_exit.py"]
    assert f" {line_of('p31_osexit.py', 'os._exit(0)')} " in said["more/p31_osexit.py"]
    # stopped at import time: one line, naming the task and the line
    for name, text, task in (("p22_sigint.py", "while True:", 1), ("p14_input.py", "input()", 1)):
        told = [line for line in out.splitlines() if name in line and not line.startswith(" ")]
        assert len(told) == 1 and f" {task}" in told[0] and f" {line_of(name, text)} " in told[0], (name, told)
    assert took < 50          # the limit was 1 s a task: the endless file is ended, not waited for


def test_broken_and_endless_files_end_in_one_line_naming_the_task_and_the_line(tmp_path):
    solution = {name: (EXERCISES / "solutions" / name).read_text(encoding="utf-8")
                for name in ("p15_nn_module.py", "p16_nn_conv.py", "p17_conv2d.py", "p26_train.py")}
    broken = {
        "p15_nn_module.py": edited(solution["p15_nn_module.py"], [("class WithLayer", "1 / 0\nclass WithLayer")]),
        "p16_nn_conv.py": edited(solution["p16_nn_conv.py"], [("corner = 10", "corner = 10\nwhile True:\n    pass")]),
        "p17_conv2d.py": edited(solution["p17_conv2d.py"], [("out_side = 14", "out_side = (14")]),
        # an endless loop that sleeps: the same interruption, without taking a core from the other tests
        "p26_train.py": edited(solution["p26_train.py"], [("        optimizer.step()",
                                                           "        optimizer.step()\n        while True:\n"
                                                           "            __import__('time').sleep(0.01)")]),
    }
    for name, text in broken.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    more = tmp_path / "more"
    saved = write_saved_and_hostile(more)
    started = time.monotonic()
    result = run_python(CHECK, tmp_path, more, "--timeout", "1", cwd=tmp_path, timeout=60)
    took = time.monotonic() - started
    out = result.stdout
    assert result.returncode != 0
    assert "Traceback" not in out + result.stderr
    check_saved_and_hostile(out, saved, took)

    def line_of(name, *texts):
        return [i for i, line in enumerate(broken[name].splitlines(), 1) if line.strip().startswith(texts)]

    # the syntax error, the exception and the endless loop at the top of the file: one line each
    lines = out.splitlines()
    for name, task, where in (("p15_nn_module.py", 2, line_of("p15_nn_module.py", "1 / 0")),
                              ("p16_nn_conv.py", 1, line_of("p16_nn_conv.py", "while True:", "pass")),
                              ("p17_conv2d.py", 2, line_of("p17_conv2d.py", "out_side = (14"))):
        told = [text for text in lines if name in text and not text.startswith(" ")]
        assert len(told) == 1 and f" {task}" in told[0], told
        assert any(f" {line} " in told[0] for line in where), (told, where)
    # the loop inside a task: that task is marked, with its line; the others are still checked
    found = dict((n, r) for n, r, _t in rows(out))
    assert {n: found[n] for n in broken} == {"p15_nn_module.py": 0, "p16_nn_conv.py": 0,
                                             "p17_conv2d.py": 0, "p26_train.py": 2}
    report = next(text for name, text in reports(out).items() if name.endswith("p26_train.py"))
    assert any(f" {line} " in report for line in line_of("p26_train.py", "while True:", "__import__"))


def test_in_english_the_same_facts_and_no_chinese():
    english = run_python(CHECK, "p17", "p22", "--lang", "en", timeout=60)
    assert rows(english.stdout) == [("p17_conv2d.py", 0, 3), ("p22_loss.py", 0, 2)]
    assert not re.search(r"[\u4e00-\u9fff]", english.stdout), english.stdout
    said = reports(english.stdout)
    p17 = next(report for name, report in said.items() if name.endswith("p17_conv2d.py"))
    assert "[64, 6, 30, 30]" in p17 and lesson_place("p17", 1) in p17     # the placeholder's real output shape
    p22 = next(report for name, report in said.items() if name.endswith("p22_loss.py"))
    assert "0.6667" in p22 and "reduction='sum'" in p22


def test_every_message_of_the_checker_has_its_english():
    english = i18n.Catalogue("en").messages
    found = [(path.name, line, message) for path in (CHECK, EXERCISES / "checks.py", EXERCISES / "engine.py",
                                                     EXERCISES / "watch.py")
             for line, message in i18n.messages_in_source(path)]
    assert [f"{n}:{line}" for n, line, m in found if m is None] == []
    assert sorted({m for _n, _l, m in found if m not in english}) == []
    assert all(i18n.placeholders(m) == i18n.placeholders(english[m]) for _n, _l, m in found)


@pytest.mark.parametrize("word", ["p99", "nothing_here.py"])
def test_an_unknown_exercise_is_one_line(word):
    result = run_python(CHECK, word, timeout=30)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and word in result.stderr


def test_the_solutions_are_not_the_exercises():
    for name in SECTIONS:
        assert (EXERCISES / name).read_text(encoding="utf-8") != (EXERCISES / "solutions" / name).read_text(encoding="utf-8")


def test_watch_checks_the_file_again_when_it_is_saved_and_keeps_the_progress(tmp_path):
    """`check.py --watch FILE` as a learner leaves it running: the file is saved the way PyCharm saves it
    (a temporary file renamed over it), the checker says the new verdict by itself, and the progress
    file follows; Ctrl-C ends it with one line."""
    target = tmp_path / "p19_relu.py"
    target.write_text((EXERCISES / "p19_relu.py").read_text(encoding="utf-8"), encoding="utf-8")
    progress = tmp_path / "progress.json"

    def read_progress():
        import json
        try:
            return json.loads(progress.read_text(encoding="utf-8")).get("p19", {}).get("right")
        except (OSError, ValueError):
            return None

    def wait_for(condition, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if condition():
                return True
            time.sleep(0.1)
        return False

    events = []

    def edit_while_it_watches(pids):
        assert wait_for(lambda: read_progress() == [], 60), "the first check did not end"
        time.sleep(1.5)                                  # it now waits for a save
        solved = (EXERCISES / "solutions" / "p19_relu.py").read_text(encoding="utf-8")
        temporary = tmp_path / "p19_relu.py___jb_tmp___"
        temporary.write_text(solved, encoding="utf-8")
        os.replace(temporary, target)
        events.append(time.monotonic())
        events.append(wait_for(lambda: read_progress() == [1, 2], 30))
        events.append(time.monotonic())
        os.kill(pids[0], signal.SIGINT)

    result = run_python_many([dict(script=CHECK, args=["--watch", target], cwd=tmp_path,
                                   env=dict(os.environ, EXERCISES_PROGRESS=str(progress)))],
                             timeout=110, during=edit_while_it_watches)[0]
    assert events[1], result.stdout                      # re-checked on the save, without being asked
    assert events[2] - events[0] < 30          # about a second where the machine is not busy
    assert rows(result.stdout) == []                     # one file: no table, a one-line summary
    reports_seen = re.findall(r"^\S*p19_relu\.py$", result.stdout, re.M)
    assert len(reports_seen) == 2, result.stdout         # the first check, and the one after the save
    first = result.stdout.split("p19_relu.py\n")[1].splitlines()
    last = result.stdout.rsplit("p19_relu.py\n", 1)[1].splitlines()
    verdicts = [line for line in itertools.takewhile(lambda line: line.startswith("  "), last)]
    assert len(verdicts) == 2 and not any(line.startswith("   ") for line in verdicts)      # both right now
    assert any(line.startswith("    ") for line in itertools.takewhile(lambda line: line.startswith("  "), first))
    assert result.returncode == 130 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr
