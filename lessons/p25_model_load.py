"""P25 网络模型的保存与读取 - loading (run p25_model_save.py first)

Method 2 (parameters only): build the network with our own code, then pour
the saved tensors into it:
    model = Tudui(); model.load_state_dict(torch.load(path, weights_only=True))

Method 1 (whole model): the file is a pickle that names the classes to
rebuild. Since torch 2.6, torch.load defaults to weights_only=True, which
rebuilds tensors and plain containers only, and refuses the file:
"Unsupported global: GLOBAL models.Tudui". The notes' fix,
weights_only=False, lets the pickle rebuild ANY object, and a pickle can be
made to run any command while it loads: only ever do that with files you
made yourself. The safe way keeps weights_only=True and allows exactly the
classes our own models are made of:
    with torch.serialization.safe_globals([Tudui, nn.Sequential, ...]):
        model = torch.load(path, weights_only=True)

Both loaded models give the same output as the saved one.
"""
import pickle
from pathlib import Path

import torch

import common
import models
from p25_model_save import checkpoint_paths, fingerprint


def load_whole_model(path, name, device):
    """Method 1, safely: weights_only=True, plus exactly our own classes."""
    with torch.serialization.safe_globals(models.whole_model_classes(name)):
        return torch.load(path, map_location=device, weights_only=True)


def load_state_dict_into(path, name, device):
    """Method 2: a fresh network of our own, then its saved parameters."""
    model = models.build(name).to(device)
    model.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    return model


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    parser.add_argument("--model", choices=models.MODEL_NAMES, default="tudui",
                        help="which saved model to load (default: tudui)")
    parser.add_argument("--out-dir", type=Path, default=common.CHECKPOINTS_ROOT,
                        help=f"folder p25_model_save.py wrote to (default: {common.CHECKPOINTS_ROOT})")
    args = common.parse_args(parser, argv)
    method1, method2 = checkpoint_paths(args.out_dir, args.model)
    for path in (method1, method2):
        if not path.is_file():
            raise common.LessonError(f"{path} not found: run python lessons/p25_model_save.py"
                                     + (f" --model {args.model}" if args.model != "tudui" else "")
                                     + " first")

    model2 = load_state_dict_into(method2, args.model, args.device)
    print(f"method 2: {type(model2).__name__}() + load_state_dict(torch.load({method2.name}, weights_only=True))  ok")

    named = torch.serialization.get_unsafe_globals_in_checkpoint(method1)
    print(f"method 1: {method1.name} names these classes: {', '.join(named)}")
    try:
        torch.load(method1, map_location=args.device, weights_only=True)
        plain_refusal = None
    except pickle.UnpicklingError as error:
        plain_refusal = next(line for line in str(error).splitlines() if "Unsupported global" in line).strip()
        print(f"  plain torch.load (weights_only=True, the default) refuses it: {plain_refusal}")
    model1 = load_whole_model(method1, args.model, args.device)
    print(f"  with safe_globals([{', '.join(c.__name__ for c in models.whole_model_classes(args.model))}]): "
          f"loaded a {type(model1).__module__}.{type(model1).__name__}  ok")

    outputs1, outputs2 = fingerprint(model1, args.device), fingerprint(model2, args.device)
    print(f"\noutput for torch.ones(1,3,32,32), first values: method 1 {[round(v, 4) for v in outputs1[:4].tolist()]}, "
          f"method 2 {[round(v, 4) for v in outputs2[:4].tolist()]}: "
          f"{'the same' if torch.equal(outputs1, outputs2) else 'DIFFERENT'}"
          " (compare with what p25_model_save.py printed)")
    return {"outputs_method1": outputs1, "outputs_method2": outputs2, "named_globals": named,
            "plain_refusal": plain_refusal}


if __name__ == "__main__":
    common.run(main)
