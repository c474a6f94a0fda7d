"""P31 完整的模型验证套路 - name the object in your own picture

用训练好的模型认一张自己的图片（视频的 test.py）：加载 P26 保存的模型（torch.load 时用
map_location，GPU 上训练的模型也能在 CPU 上加载），用 PIL 打开图片，convert('RGB')
（PNG 有透明通道是 4 个通道，灰度图只有 1 个），Resize((32, 32))，ToTensor，
reshape 成 [1, 3, 32, 32]，model.eval() + torch.no_grad()，得到 10 个分数，argmax(1)
就是类别。本课还会打印前 3 个类别的概率，并把网络真正"看到"的 32x32 小图存下来，
放在原图旁边对比：照片缩到 32x32 后细节全没了，这就是网络会认错的原因之一。

--image PATH names your picture (any size; PNG with transparency, greyscale
JPEG...). Without it, a few pictures of the CIFAR10 test split (or of the
tiny stand-in set) are saved as ordinary PNG files and predicted from those
files, so the whole path file -> PIL -> tensor -> class is shown.
--checkpoint defaults to the newest one p26_train.py saved; when there is
none, P26 trains one first (one epoch, and it says so). What the network
saw goes to predictions/ and to TensorBoard (IMAGES).
"""
import io
import pickle
from pathlib import Path
from unittest import mock

import torch
import torchvision
from PIL import Image

import cifar
import common
import p26_train
import pictures
from models import Tudui
from p25_model_load import load_whole_model, state_dict_mismatch

PREDICTIONS = common.REPO_ROOT / "predictions"
CHINESE = {"airplane": "飞机", "automobile": "汽车", "bird": "鸟", "cat": "猫", "deer": "鹿",
           "dog": "狗", "frog": "青蛙", "horse": "马", "ship": "船", "truck": "卡车"}
WHY_RGB = {
    "RGB": "already RGB: convert('RGB') changes nothing",
    "RGBA": "a PNG with transparency has 4 channels (RGBA); the network takes 3, so the alpha channel goes",
    "LA": "greyscale with transparency has 2 channels; convert('RGB') copies the grey into R, G and B",
    "L": "a greyscale picture has 1 channel; convert('RGB') copies it into R, G and B",
    "1": "a black-and-white picture has 1 channel of 0/1; convert('RGB') makes 3",
    "P": "a palette picture stores colour numbers, not colours; convert('RGB') looks them up",
    "CMYK": "a CMYK picture has 4 print channels; convert('RGB') turns them into 3 screen colours",
}


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64)
    parser.add_argument("--image", type=Path, nargs="+", metavar="PATH",
                        help="your picture(s): any size, PNG, JPEG, ... (default: a few CIFAR10 test pictures)")
    parser.add_argument("--checkpoint", type=Path,
                        help=f"a tudui_{{i}}.pth saved by p26_train.py (default: the newest in {p26_train.CHECKPOINTS})")
    parser.add_argument("--samples", type=common.positive_int, default=5,
                        help="how many test pictures to predict when no --image is given (default: 5)")
    parser.add_argument("--out-dir", type=Path, default=PREDICTIONS,
                        help=f"where the 32x32 pictures the network sees go (default: {PREDICTIONS})")
    args = common.parse_args(parser, argv)
    device = args.device

    checkpoint = args.checkpoint or newest_checkpoint(args)
    show_map_location()
    tudui, normalize = load_tudui(checkpoint, device)
    print(f"loaded {common.shown(checkpoint)} with map_location={device}")
    print(tudui)

    picture_paths = args.image or save_test_pictures(args)
    # every picture opened before anything is written: a bad one stops the run with nothing half done
    images = [pictures.open_picture(path, "--image") for path in picture_paths]
    steps = [torchvision.transforms.Resize((32, 32)), torchvision.transforms.ToTensor()]
    if normalize:   # the checkpoint was trained on normalized inputs: the same here
        steps.append(torchvision.transforms.Normalize(cifar.MEAN, cifar.STD))
    transform = torchvision.transforms.Compose(steps)
    print(f"transform = {' -> '.join(type(t).__name__ for t in steps)}"
          + ("  (Normalize too: the checkpoint was trained on normalized inputs, unlike the video's)"
             if normalize else ""))

    writer = common.open_writer(args.logdir)
    predictions = []
    for step, (image_path, image) in enumerate(zip(picture_paths, images)):
        predictions.append(predict(image_path, image, tudui, transform, device, args, writer, step))
    writer.close()
    print(f"\nthe 32x32 pictures the network saw, next to yours: {common.shown(args.out_dir)}")
    return {"checkpoint": checkpoint, "predictions": predictions, "normalize": normalize}


def predict(image_path, image, tudui, transform, device, args, writer, step):
    """One picture (opened from image_path): PIL -> tensor [1,3,32,32] -> scores -> class."""
    print(f"\n{common.shown(image_path)}: {image}")
    print(f"  convert('RGB'): {WHY_RGB.get(image.mode, f'mode {image.mode} becomes the 3 channels R, G, B')}")
    image = image.convert("RGB")
    seen = image.resize((32, 32), Image.BILINEAR)   # what Resize((32, 32)) hands the network
    image_tensor = transform(image)
    print(f"  transform(image).shape {image_tensor.shape}")
    image_tensor = torch.reshape(image_tensor, (1, 3, 32, 32)).to(device)   # a batch of one
    tudui.eval()
    with torch.no_grad():
        output = tudui(image_tensor)
    print(f"  output {[round(v, 2) for v in output[0].tolist()]}")
    index = output.argmax(1).item()
    name = cifar.CLASSES[index]
    probabilities = torch.softmax(output[0], dim=0)
    top3 = probabilities.topk(3)
    truth = sample_class(image_path)
    verdict = "" if truth is None else f"   (true class {truth} {CHINESE[truth]}: {'right' if truth == name else 'wrong'})"
    print(f"  output.argmax(1) = tensor([{index}]) -> {name} {CHINESE[name]}{verdict}")
    print("  top 3: " + ", ".join(f"{cifar.CLASSES[i]} {CHINESE[cifar.CLASSES[i]]} {p:.1%}"
                                  for p, i in zip(top3.values.tolist(), top3.indices.tolist())))
    seen_path, pair_path = save_what_it_saw(image, seen, image_path, args.out_dir)
    print(f"  what the network saw: {common.shown(seen_path)}; side by side: {common.shown(pair_path)}")
    as_tensor = torchvision.transforms.functional.to_tensor
    writer.add_image(f"yours/{Path(image_path).stem}", as_tensor(thumbnail(image)), step)
    writer.add_image(f"seen_32x32/{Path(image_path).stem}", as_tensor(seen), step)
    return {"image": str(image_path), "class": name, "chinese": CHINESE[name], "index": index,
            "top3": [(cifar.CLASSES[i], p) for p, i in zip(top3.values.tolist(), top3.indices.tolist())],
            "seen": seen_path, "true": truth}


# ---------------------------------------------------------------- helpers the video does not have
def newest_checkpoint(args):
    """The newest tudui_{i}.pth P26 saved; when there is none, P26 trains one first."""
    found = p26_train.checkpoints(p26_train.CHECKPOINTS)
    if found:
        return found[-1]
    print(f"no checkpoint in {common.shown(p26_train.CHECKPOINTS)} yet: training one first with "
          "python lessons/p26_train.py --epochs 1 (under a minute on real CIFAR10; "
          "run it yourself with more epochs for a better network)\n")
    flags = ["--device", args.device.type, "--seed", str(args.seed), "--data-root", str(args.data_root)]
    # the tiny set has 200 pictures: smaller batches and more epochs give it enough steps
    flags += ["--tiny", "--epochs", "5", "--batch-size", "16"] if args.tiny else ["--epochs", "1"]
    p26_train.main(flags)
    print()
    return p26_train.checkpoints(p26_train.CHECKPOINTS)[-1]


def show_map_location():
    """The error map_location prevents: a checkpoint saved on a GPU, loaded where there is none."""
    saved_on_gpu = io.BytesIO()
    # torch records each tensor's device in the file; this writes "cuda:0" as a GPU-trained file has
    with mock.patch.object(torch.serialization, "location_tag", lambda storage: "cuda:0"):
        torch.save(Tudui().state_dict(), saved_on_gpu)
    saved_on_gpu.seek(0)
    try:
        torch.load(saved_on_gpu, weights_only=True)
        said = "loads as it is here (this machine has CUDA)"
    except RuntimeError as error:
        said = f"fails: {str(error).split('. ')[0]}"
    print(f"map_location: without it, a file saved on a GPU {said}; "
          "torch.load(..., map_location=device) puts every tensor where we want it")


def load_tudui(path, device):
    """The network from a checkpoint: P26's (state_dict + normalization), a bare
    state_dict (P25 method 2) or a whole model (P25 method 1). Returns (tudui, normalize)."""
    path = Path(path)
    if not path.is_file():
        raise common.LessonError(f"checkpoint {common.shown(path)} not found"
                                 + (" (it is a folder)" if path.is_dir() else "")
                                 + ": train one with python lessons/p26_train.py")
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError as error:
        if "Unsupported global" not in str(error):
            raise common.LessonError(f"{common.shown(path)} is not a PyTorch checkpoint this lesson can read") from None
        model, _ = load_whole_model(path, "tudui", device)   # a whole model: only our own classes allowed
        if not isinstance(model, Tudui):
            raise common.LessonError(f"{common.shown(path)} holds a {type(model).__name__}, not the P21 network Tudui")
        return model.to(device), False
    except (RuntimeError, EOFError, ValueError, KeyError, OSError) as error:
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise common.LessonError(f"{common.shown(path)} is damaged or not a PyTorch checkpoint ({first}): "
                                 "train a new one with python lessons/p26_train.py") from None
    state, normalize = saved, False
    if isinstance(saved, dict) and "state_dict" in saved:
        state, normalize = saved["state_dict"], bool(saved.get("normalize", False))
    if not isinstance(state, dict):
        raise common.LessonError(f"{common.shown(path)} holds {type(state).__name__} data, not a network's parameters")
    tudui = Tudui().to(device)
    mismatch = state_dict_mismatch(tudui.state_dict(), state)
    if mismatch:
        raise common.LessonError(f"{common.shown(path)} does not fit the P21 network Tudui: {mismatch} "
                                 "(saved from another network?)")
    tudui.load_state_dict(state)
    return tudui, normalize


def sample_class(path):
    """The true class of a test picture this lesson saved (test_<index>_<class>.png), else None."""
    parts = Path(path).stem.split("_")
    if len(parts) == 3 and parts[0] == "test" and parts[2] in CHINESE:
        return parts[2]
    return None


def thumbnail(image, side=256):
    """The learner's picture at a size TensorBoard shows well."""
    copy = image.copy()
    copy.thumbnail((side, side))
    return copy


def save_what_it_saw(image, seen, image_path, out_dir):
    """The 32x32 picture, and it enlarged beside the learner's picture."""
    stem = Path(image_path).stem
    big = thumbnail(image)
    enlarged = seen.resize((big.height, big.height), Image.NEAREST)   # blocky on purpose: 32x32 pixels
    pair = Image.new("RGB", (big.width + 8 + enlarged.width, big.height), "white")
    pair.paste(big, (0, 0))
    pair.paste(enlarged, (big.width + 8, 0))
    seen_path, pair_path = Path(out_dir) / f"{stem}_32x32.png", Path(out_dir) / f"{stem}_side_by_side.png"
    common.save_picture(seen, seen_path)
    common.save_picture(pair, pair_path)
    return seen_path, pair_path


def save_test_pictures(args):
    """A few test-split pictures, one per class, as ordinary PNG files."""
    test_data = cifar.cifar10(train=False, args=args, transform=None)
    chosen, seen_classes = [], set()
    for index, target in enumerate(test_data.targets):
        if target not in seen_classes:
            seen_classes.add(target)
            chosen.append(index)
        if len(chosen) == args.samples:
            break
    paths = []
    for index in chosen:
        name = cifar.CLASSES[test_data.targets[index]]
        path = Path(args.out_dir) / "samples" / f"test_{index}_{name}.png"
        common.save_picture(Image.fromarray(test_data.data[index]), path)
        paths.append(path)
    print(f"no --image given: saved {len(paths)} test pictures as PNG files in "
          f"{common.shown(Path(args.out_dir) / 'samples')} (their names hold the true class); predicting those")
    return paths


if __name__ == "__main__":
    common.run(main)
