"""P25's networks by name, and the classes a whole-model file of each may name.

The course's Tudui stays in lessons/models.py (the course's model.py): a model
saved whole is pickled by the class's name, and from there that name is
`models.Tudui`, which every lesson can import. A class defined in a script
would be `__main__.Tudui`, which no other script has.
"""
from torch import nn

from models import Tudui

MODEL_NAMES = ("tudui", "vgg16")


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
