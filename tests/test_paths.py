"""The course's paths, end to end: what one lesson (or the course's own script) saves,
the next one reads. Every step is a new process started as the learner types it
(`python lessons/x.py ...`, helpers.run_lesson_script / run_python), in a folder of
its own, with the flags the README and the docstrings give (plus folders in tmp).

P31 must name the same class as an independent computation with the same weights:
the test reads the file itself (a plain unpickler, weights_only=False: the test made
the file), runs the course's 32x32 preprocessing and argmax(1)."""
import pickle
import re
import types
import numpy as np
import pytest
import torch
import torchvision
from PIL import Image
from torch import nn

from helpers import LESSONS_DIR, run_lesson_script, run_python

# The course's network, written here again (as test.py does): the tests' own copy.
COURSE_TUDUI = """
import torch
from torch import nn

class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, 1, 2), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, 1, 2), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64*4*4, 64), nn.Linear(64, 10))

    def forward(self, x):
        x = self.model(x)
        return x
"""


# ---------------------------------------------------------------- reading a file independently
class _AnyTudui(pickle.Unpickler):
    """Whatever module the file names its Tudui under, rebuild it as a plain nn.Module."""

    def find_class(self, module, name):
        return nn.Module if name == "Tudui" else super().find_class(module, name)


PLAIN_PICKLE = types.SimpleNamespace(__name__="pickle", Unpickler=_AnyTudui, load=pickle.load)


def read_independently(path):
    """(state_dict, normalization) of a checkpoint, read without the lesson's code."""
    saved = torch.load(path, map_location="cpu", weights_only=False, pickle_module=PLAIN_PICKLE)
    if isinstance(saved, nn.Module):
        return saved.state_dict(), getattr(saved, "input_normalization", None)
    return saved, None


def expected_classes(path, pictures):
    """argmax(1) for each picture: the course's layers with the file's weights, the course's preprocessing."""
    state, normalization = read_independently(path)
    net = nn.Sequential(nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, 1, 2), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 5, 1, 2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64),
                        nn.Linear(64, 10))
    net.load_state_dict({key.removeprefix("model."): value for key, value in state.items()})
    net.eval()
    steps = [torchvision.transforms.Resize((32, 32)), torchvision.transforms.ToTensor()]
    if normalization:
        steps.append(torchvision.transforms.Normalize(normalization["mean"], normalization["std"]))
    transform = torchvision.transforms.Compose(steps)
    with torch.no_grad():
        return [net(transform(Image.open(p).convert("RGB"))[None]).argmax(1).item() for p in pictures]


def predicted_classes(done):
    """What P31 printed for print(output.argmax(1)), the course's line: tensor([3])."""
    return [int(m) for m in re.findall(r"^tensor\(\[(\d+)\]\)$", done.stdout, re.M)]


# ---------------------------------------------------------------- the steps
@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    """Two pictures of the learner's: a photo-sized RGB JPEG and a PNG with transparency."""
    folder = tmp_path_factory.mktemp("pictures")
    rng = np.random.default_rng(7)
    photo = Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).resize((640, 480))
    photo.save(folder / "my cat.jpg")
    drawing = Image.fromarray(rng.integers(0, 255, (40, 40, 4), dtype=np.uint8), "RGBA")
    drawing.save(folder / "drawing.png")
    return [folder / "my cat.jpg", folder / "drawing.png"]


def run(name, *flags, cwd):
    done = run_lesson_script(name, *flags, cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def predict(checkpoint, pictures, cwd):
    """`python lessons/p31_predict.py --checkpoint FILE --image PICTURES` (README), outputs kept in tmp."""
    return run_lesson_script("p31_predict", "--checkpoint", checkpoint, "--image", *pictures,
                             "--out-dir", cwd / "predictions", "--logdir", cwd / "logs", cwd=cwd, timeout=120)


def assert_p31_reads(checkpoint, pictures, cwd):
    done = predict(checkpoint, pictures, cwd)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert predicted_classes(done) == expected_classes(checkpoint, pictures)
    return done


def p26_checkpoint_flag():
    """p26_train.py's flag for its checkpoint folder (--checkpoint-dir, or --out-dir before it was renamed)."""
    source = (LESSONS_DIR / "p26_train.py").read_text(encoding="utf-8")
    return "--checkpoint-dir" if '"--checkpoint-dir"' in source else "--out-dir"


@pytest.mark.parametrize("lesson, folder_flag", [
    ("p26_train", None), ("p29_train_gpu_1", "--out-dir"), ("p30_train_gpu_2", "--out-dir"),
    ("p33_ddp_torchrun", "--out-dir"),
])
def test_what_a_training_lesson_saves_p31_reads(lesson, folder_flag, pictures, tmp_path):
    """python lessons/<lesson>.py --tiny --epochs 1, then P31 --checkpoint <its tudui_0.pth> --image ..."""
    run(lesson, "--tiny", "--epochs", "1", folder_flag or p26_checkpoint_flag(), tmp_path / "checkpoints",
        "--logdir", tmp_path / "logs", cwd=tmp_path)
    checkpoint = tmp_path / "checkpoints" / "tudui_0.pth"
    named = torch.serialization.get_unsafe_globals_in_checkpoint(checkpoint)
    if lesson in ("p29_train_gpu_1", "p30_train_gpu_2"):
        assert "__main__.Tudui" in named                 # the class the script defines, as train_gpu_1.py's file
    assert_p31_reads(checkpoint, pictures, tmp_path)


def test_p25_save_then_load(tmp_path):
    """python lessons/p25_model_save.py, then python lessons/p25_model_load.py: all three files load."""
    run("p25_model_save", "--out-dir", tmp_path, cwd=tmp_path)
    assert "__main__.Tudui" in torch.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "tudui_method1.pth")
    done = run("p25_model_load", "--out-dir", tmp_path, cwd=tmp_path)
    assert "(model): Sequential(" in done.stdout                       # method 1: the whole network
    assert "(conv1): Conv2d(3, 64, kernel_size=(3, 3)" in done.stdout  # the trap's file, read by import *
    assert "Can't get attribute 'Tudui' on <module '__main__'" in done.stdout   # the trap, really raised


# ---------------------------------------------------------------- files saved the course's way
SAVES = {
    # train_gpu_1.py / train_gpu_2.py: the class in the script, the whole model saved
    "in_main": COURSE_TUDUI + "torch.manual_seed(1)\ntorch.save(Tudui(), 'tudui_0.pth')\n",
    # train.py: from model import * (model.py beside it)
    "from_model": "import torch\nfrom model import *\ntorch.manual_seed(2)\ntorch.save(Tudui(), 'tudui_0.pth')\n",
    # train_gpu_1.py on a GPU: the tensors' storages say cuda:0
    "on_gpu": COURSE_TUDUI + "from unittest import mock\ntorch.manual_seed(3)\n"
              "with mock.patch.object(torch.serialization, 'location_tag', lambda storage: 'cuda:0'):\n"
              "    torch.save(Tudui(), 'tudui_29_gpu.pth')\n",
}


@pytest.mark.parametrize("how, module", [("in_main", "__main__"), ("from_model", "model"), ("on_gpu", "__main__")])
def test_a_whole_model_saved_the_courses_way(how, module, pictures, tmp_path):
    (tmp_path / "model.py").write_text(COURSE_TUDUI, encoding="utf-8")
    (tmp_path / "save.py").write_text(SAVES[how], encoding="utf-8")
    done = run_python(tmp_path / "save.py", cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    checkpoint = next(tmp_path.glob("tudui_*.pth"))
    assert f"{module}.Tudui" in torch.serialization.get_unsafe_globals_in_checkpoint(checkpoint)
    if how == "on_gpu" and not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location"):    # what map_location is there for
            torch.load(checkpoint, weights_only=False, pickle_module=PLAIN_PICKLE)
    assert_p31_reads(checkpoint, pictures, tmp_path)


# ---------------------------------------------------------------- what P31 refuses, in one line
WRONG = COURSE_TUDUI + """
import pickle, sys, torchvision
from unittest import mock

def course_but(*layers):
    tudui = Tudui()
    tudui.model = nn.Sequential(*layers)
    return tudui

torch.save(Tudui(), 'good.pth')
p22 = Tudui()
p22.model1 = p22.model            # P22's version names its Sequential model1
del p22.model
torch.save(p22, 'p22_model1.pth')
torch.save(course_but(nn.Conv2d(3, 32, 3, 1, 1), *Tudui().model[1:]), 'kernel_3.pth')
torch.save(course_but(nn.Conv2d(3, 32, 5, 1, 0), *Tudui().model[1:]), 'padding_0.pth')   # the same shapes
torch.save(course_but(*Tudui().model[:1], nn.ReLU(), *Tudui().model[1:]), 'with_relu.pth')
with torch.device('meta'):                   # a VGG, made small: only what the file names matters
    vgg = torchvision.models.vgg11()
vgg.features, vgg.classifier = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU()), nn.Sequential(nn.Linear(8, 10))
torch.save(vgg.to_empty(device='cpu'), 'vgg.pth')
torch.save(nn.Sequential(nn.Conv2d(3, 64, 3)).state_dict(), 'other_state.pth')
torch.save(Tudui(), 'legacy_whole.pth', _use_new_zipfile_serialization=False)    # torch before 1.6
torch.save(Tudui().state_dict(), 'legacy_state.pth', _use_new_zipfile_serialization=False)
with open('plain.pkl', 'wb') as f:
    pickle.dump({'weights': [1, 2, 3]}, f)
with open('good.pth', 'rb') as f:
    good = f.read()
with open('cut_short.pth', 'wb') as f:
    f.write(good[:3000])
"""


@pytest.fixture(scope="module")
def wrong_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wrong")
    (folder / "save.py").write_text(WRONG, encoding="utf-8")
    done = run_python(folder / "save.py", cwd=folder, timeout=60)
    assert done.returncode == 0, done.stderr
    Image.new("RGB", (64, 48), "red").save(folder / "picture.png")
    return folder


@pytest.mark.parametrize("name", ["p22_model1.pth", "kernel_3.pth", "padding_0.pth", "with_relu.pth", "vgg.pth",
                                  "other_state.pth", "legacy_whole.pth", "plain.pkl", "cut_short.pth",
                                  "picture.png"])
def test_p31_refuses_what_is_not_the_courses_network(name, wrong_files, pictures, tmp_path):
    done = predict(wrong_files / name, pictures, tmp_path)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    said = done.stderr.strip().splitlines()
    assert len(said) == 1 and name in said[0] and "Traceback" not in done.stderr
    assert "p26_train.py" in said[0]                          # the advice: something that works
    assert not (tmp_path / "predictions").exists()
    facts = {"p22_model1.pth": "model1.0.weight", "kernel_3.pth": "[32, 3, 3, 3]", "padding_0.pth": "padding=(2, 2)",
             "with_relu.pth": "ReLU", "vgg.pth": "VGG", "other_state.pth": "0.weight", "legacy_whole.pth": "1.6",
             "picture.png": "--image"}
    assert facts.get(name, "") in said[0]


def test_a_state_dict_in_torchs_older_format_is_read(wrong_files, pictures, tmp_path):
    """torch before 1.6 saved no zip archive: a state_dict in that format still loads with weights_only=True."""
    assert_p31_reads(wrong_files / "legacy_state.pth", pictures, tmp_path)
