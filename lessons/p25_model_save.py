"""P25 网络模型的保存与读取 - saving (run p25_model_load.py next)

保存方式1：torch.save(model, path)，保存模型结构 + 模型参数（整个对象，按类名 pickle）；
保存方式2：torch.save(model.state_dict(), path)，只保存模型参数（官方推荐），读取时用
自己的代码先建好网络再 load_state_dict。视频保存 VGG16（每个文件约 528 MB）；这里默认
保存 P21 的小网络（约 0.6 MB），--model vgg16 与视频相同。

Two ways to keep a network on disk:

  method 1  torch.save(model, path)               the whole object: structure
                                                  + parameters, pickled by class name
  method 2  torch.save(model.state_dict(), path)  the parameters only, a dict
                                                  of name -> tensor (recommended)

Method 2 files are plain tensors: any PyTorch can read them safely, and you
rebuild the structure with your own code. Method 1 files need the class
(here `models.Tudui`) importable when loading, and loading them means
unpickling, which is why torch >= 2.6 refuses them by default
(p25_model_load.py shows how to load them safely).

The video saves VGG16, whose files are about 528 MB each; the default here
is the small P21 network (about 0.6 MB), because P26-P31 train and load that
one. Use --model vgg16 for the video's version. Files go to checkpoints/ in the repository (or --out-dir); each is
written to a temporary file first and renamed, so an interrupted save never
leaves half a file in place of a good one.
"""
from pathlib import Path

import torch

import common
import models


def checkpoint_paths(out_dir, name):
    """(method 1 file, method 2 file) for model `name`."""
    out_dir = Path(out_dir)
    return out_dir / f"{name}_method1.pth", out_dir / f"{name}_method2.pth"


def fingerprint(model, device):
    """The model's output for one fixed input: equal fingerprints, equal models."""
    model.eval()
    with torch.no_grad():
        return model(torch.ones(1, 3, 32, 32, device=device)).flatten()[:10].cpu()


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    parser.add_argument("--model", type=str.lower, choices=models.MODEL_NAMES, default="tudui",
                        help="tudui: the P21 network, 0.6 MB files; vgg16: the video's, 528 MB files (default: tudui)")
    parser.add_argument("--out-dir", type=Path, default=common.CHECKPOINTS_ROOT,
                        help=f"folder for the .pth files (default: {common.CHECKPOINTS_ROOT})")
    args = common.parse_args(parser, argv)

    model = models.build(args.model).to(args.device)
    method1, method2 = checkpoint_paths(args.out_dir, args.model)

    common.save_atomically(model, method1)                # method 1: the whole model
    print(f"保存方式1 method 1  torch.save(model, ...)              -> {method1}  ({method1.stat().st_size / 1e6:.1f} MB)")
    common.save_atomically(model.state_dict(), method2)   # method 2: parameters only
    print(f"保存方式2 method 2  torch.save(model.state_dict(), ...) -> {method2}  ({method2.stat().st_size / 1e6:.1f} MB)")

    cls = type(model)
    where = "lessons/models.py" if cls.__module__ == "models" else f"the {cls.__module__.split('.')[0]} package"
    print(f"\nthe method 1 file names the class {cls.__module__}.{cls.__name__}: it comes from {where}, "
          "so any script that can import it can load the file. Had the class been defined in this script, "
          f"it would be named __main__.{cls.__name__} and loading it elsewhere would fail with "
          f"\"Can't get attribute '{cls.__name__}' on <module '__main__'>\".")
    outputs = fingerprint(model, args.device)
    print(f"output for torch.ones(1,3,32,32), first values: {[round(v, 4) for v in outputs[:4].tolist()]}")
    print("next: python lessons/p25_model_load.py" + (f" --model {args.model}" if args.model != "tudui" else ""))
    return {"method1": method1, "method2": method2, "outputs": outputs}


if __name__ == "__main__":
    common.run(main)
