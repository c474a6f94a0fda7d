"""The networks more than one lesson builds, defined once.

`Tudui` is the course's CIFAR10 network (P21), trained in P22-P23 and saved
in P25. It lives here, in a module of its own, and not in the script that
saves it: a model saved whole (P25, method 1) is pickled by *name*, and a
class defined in a script is named `__main__.Tudui`. Loading that file from
any other script then fails with "Can't get attribute 'Tudui' on <module
'__main__'>". Saved from here it is named `models.Tudui`, which every lesson
can import.
"""
from torch import nn


class Tudui(nn.Module):
    """The CIFAR10 network of P21: three conv + max-pool stages, then two Linear layers.

    [N,3,32,32] -> conv 5x5 (padding 2 keeps 32x32) -> pool -> ... -> [N,64,4,4]
    -> flatten [N,1024] -> [N,64] -> [N,10] scores, one per class.
    """

    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 32, kernel_size=5, padding=2),   # [N,32,32,32]
            nn.MaxPool2d(2),                              # [N,32,16,16]
            nn.Conv2d(32, 32, kernel_size=5, padding=2),  # [N,32,16,16]
            nn.MaxPool2d(2),                              # [N,32,8,8]
            nn.Conv2d(32, 64, kernel_size=5, padding=2),  # [N,64,8,8]
            nn.MaxPool2d(2),                              # [N,64,4,4]
            nn.Flatten(),                                 # [N,1024]
            nn.Linear(64 * 4 * 4, 64),                    # [N,64]
            nn.Linear(64, 10),                            # [N,10]
        )

    def forward(self, x):
        return self.model(x)


# ---------------------------------------------------------------- P25
MODEL_NAMES = ("tudui", "vgg16")


def build(name):
    """A fresh network by name: the course's Tudui, or VGG16 with random weights."""
    if name == "tudui":
        return Tudui()
    if name == "vgg16":
        from torchvision.models import vgg16
        return vgg16(weights=None)
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")


def whole_model_classes(name):
    """Every class a whole-model file (P25, method 1) of `name` names.

    torch.load(weights_only=True) rebuilds tensors and plain containers only;
    these classes are the exact extra names it may rebuild for our files.
    """
    layers = [Tudui, nn.Sequential, nn.Conv2d, nn.MaxPool2d, nn.Flatten, nn.Linear]
    if name == "vgg16":
        from torchvision.models.vgg import VGG
        layers = [VGG, nn.Sequential, nn.Conv2d, nn.MaxPool2d, nn.ReLU, nn.Dropout,
                  nn.AdaptiveAvgPool2d, nn.Linear]
    return layers
