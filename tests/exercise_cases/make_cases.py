"""The battery of 练一练 cases: other right answers, plausible wrong ones, and hostile files.

Each case is a complete exercise file made from a reference solution or an untouched exercise file
with a few edits (old text -> new text, each old text found exactly once), so the cases follow the
exercise files as they change. `python tests/exercise_cases/make_cases.py OUT` writes the files into
OUT plus OUT/cases.json (the manifest); run_battery.py does that itself and runs the checker on them.

What each case expects, one letter per task in the file's order:
    R  right
    W  not right, judged (wrong, or an error shown as that task's verdict), not "not done"
    T  not done (the placeholder is still there)
    E  not right, and the output names `line` (the first line of the case holding the marker text, or of
       one of several markers); for a
       file that stops at module level, the task whose part of the file (after its header) holds that line
    N  not right, any way (wrong, not done, error, or the file stopped before it)
    ?  either: the file stops at a later line, and a checker may or may not judge this task
`hint`  {task: [alternatives]}: what a true hint (or got/wanted) would contain; one must appear
`avoid` {task: [texts]}: what a false hint would say; none may appear
`seconds` a hostile case runs alone and must end within this many seconds more than the checker takes
          on a plain solution (its start-up, measured by the battery); the default limit is 10 s a task.
          A hostile case with an E gets exactly one unindented line naming its file.
"""
import json
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXERCISES = REPO_ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"

BASES = {}      # section -> file name, read from exercises/


def base_name(section):
    if not BASES:
        for path in sorted(EXERCISES.glob("p[0-9][0-9]_*.py")):
            BASES[path.name[:3]] = path.name
    return BASES[section]


CASES = []


def case(section, name, base, edits=(), expect="", hint=None, avoid=None, line=None, seconds=None,
         encoding=None, note="", rename=None):
    CASES.append(dict(section=section, name=name, base=base, edits=list(edits), rename=rename or {}, expect=expect,
                      hint=hint or {}, avoid=avoid or {}, line=line, seconds=seconds, encoding=encoding,
                      note=note))


S, X = "solution", "exercise"
# words for hints, both languages; a hint only has to carry one of them
SMALL = ["太小", "小了", "too small", "too low", "hardly", "barely"]
BIG = ["太大", "越来越大", "来回", "跳过", "too big", "too large", "too high", "oscillat", "overshoot", "back and forth"]
HOSTILE = 20        # seconds beyond the checker's start-up: its 10 s limit, and slack


# ================================================================ every file as it is, and its solution
UNTOUCHED = {"p06": "NW", "p08": "WW", "p09": "WTWWW", "p14": "TW", "p15": "WW", "p16": "TWW", "p17": "WTW",
             "p18": "WW", "p19": "WT", "p20": "WW", "p21": "WTT", "p22": "WW", "p23": "WW", "p24": "WT",
             "p25": "WW", "p26": "WWW", "p31": "WW"}
# p06 task 1: `label = None` inside __getitem__ may read as not done or as wrong
for _section, _expect in UNTOUCHED.items():
    case(_section, "x_untouched", X, expect=_expect, note="the exercise file as shipped")
    case(_section, "s_solution", S, expect="R" * len(_expect), note="the reference solution")

# ================================================================ P6 Dataset
case("p06", "r_len_listdir", S, [("return len(self.img_path)", "return len(os.listdir(self.path))")], "RR")
case("p06", "r_label_basename", S, [("label = self.label_dir", "label = os.path.basename(self.path)")], "RR")
case("p06", "r_concat_dataset", S, [("return ants_dataset + bees_dataset",
                                     "from torch.utils.data import ConcatDataset\n"
                                     "    return ConcatDataset([ants_dataset, bees_dataset])")], "RR")
case("p06", "r_bees_first", S, [("return ants_dataset + bees_dataset", "return bees_dataset + ants_dataset")], "RR")
case("p06", "r_unsorted", S, [("sorted(os.listdir(self.path))", "os.listdir(self.path)")], "RR")
case("p06", "r_item_list", S, [("return img, label", "return [img, label]")], "RR",
     note="a list unpacks like the tuple: behaviour, not form")
case("p06", "r_convert_rgb", S, [("img = Image.open(img_item_path)", "img = Image.open(img_item_path).convert('RGB')")],
     "RR")
case("p06", "r_own_names", S, rename={"img_path": "pictures", "img_name": "name", "img_item_path": "where",
                                      "root_dir": "top", "label_dir": "folder"}, expect="RR",
     note="the learner's own names for the attributes and locals")
case("p06", "w_label_root", S, [("label = self.label_dir", "label = self.root_dir")], "WR", hint={1: ["label_dir"]})
case("p06", "w_label_constant", S, [("label = self.label_dir", 'label = "ants"')], "WR",
     note="copies the label of the one folder the checker used")
case("p06", "w_len_constant", S, [("return len(self.img_path)", "return 3")], "WR",
     note="copies the count the checker prints")
case("p06", "w_len_folders", S, [("return len(self.img_path)", "return len(os.listdir(self.root_dir))")], "WR")
case("p06", "w_getitem_first", S, [("img_name = self.img_path[idx]", "img_name = self.img_path[0]")], "WR",
     hint={1: ["idx"]}, note="a wrong __getitem__ must not fail the right sum of task 2")
case("p06", "w_ants_twice", S, [("return ants_dataset + bees_dataset", "return ants_dataset + ants_dataset")], "RW")
case("p06", "w_list_of_two", S, [("return ants_dataset + bees_dataset", "return [ants_dataset, bees_dataset]")], "RW")

# ================================================================ P8 TensorBoard
case("p08", "r_keywords", S, [('writer.add_scalar("y=3x", 3 * i, i)',
                               'writer.add_scalar("y=3x", scalar_value=3 * i, global_step=i)')], "RR")
case("p08", "r_float", S, [('writer.add_scalar("y=3x", 3 * i, i)', 'writer.add_scalar("y=3x", 3.0 * i, i)')], "RR")
case("p08", "r_backwards", S, [("for i in range(100):", "for i in range(99, -1, -1):")], "RR")
case("p08", "r_transpose", S, [("writer.add_image(\"train\", img_array, 1, dataformats='HWC')",
                                'writer.add_image("train", img_array.transpose(2, 0, 1), 1)')], "RR")
case("p08", "r_tensor_chw", S, [("writer.add_image(\"train\", img_array, 1, dataformats='HWC')",
                                 "import torch\n"
                                 '    writer.add_image("train", torch.from_numpy(img_array).permute(2, 0, 1), 1)')],
     "RR")
case("p08", "r_step0_double_quotes", S, [("writer.add_image(\"train\", img_array, 1, dataformats='HWC')",
                                          'writer.add_image("test", img_array, 0, dataformats="HWC")')], "RR")
case("p08", "r_own_names", S, rename={"i": "step"}, expect="RR")
case("p08", "w_swapped", S, [('writer.add_scalar("y=3x", 3 * i, i)', 'writer.add_scalar("y=3x", i, 3 * i)')], "WR",
     hint={1: ["global_step", "顺序", "order"]})
case("p08", "w_two_x", S, [('writer.add_scalar("y=3x", 3 * i, i)', 'writer.add_scalar("y=3x", 2 * i, i)')], "WR",
     note="the video draws y = 2x")
case("p08", "w_tag", S, [('writer.add_scalar("y=3x", 3 * i, i)', 'writer.add_scalar("y=2x", 3 * i, i)')], "WR",
     hint={1: ["y=3x", "tag"]})
case("p08", "w_99_points", S, [("for i in range(100):", "for i in range(99):")], "WR")
case("p08", "w_chw_said", S, [("dataformats='HWC'", "dataformats='CHW'")], "RW", hint={2: ["HWC"]})
case("p08", "w_no_image", S, [("writer.add_image(\"train\", img_array, 1, dataformats='HWC')", "pass")], "RW")
case("p08", "w_own_picture", S, [("writer.add_image(\"train\", img_array, 1, dataformats='HWC')",
                                  "import numpy as np\n"
                                  "    writer.add_image(\"train\", np.zeros((20, 30, 3), dtype=np.uint8), 1, "
                                  "dataformats='HWC')")], "RW",
     note="shows a picture of the size in the title, not the one it was given")

# ================================================================ P9-P12 transforms
case("p09", "r_numpy_by_hand", S, [("return transforms.ToTensor()(img)",
                                    "return torch.from_numpy(np.array(img)).permute(2, 0, 1).float() / 255")], "RRRRR")
case("p09", "r_functional", S, [("return transforms.ToTensor()(img)",
                                 "return transforms.functional.to_tensor(img)")], "RRRRR")
case("p09", "r_pil_to_tensor", S, [("return transforms.ToTensor()(img)",
                                    "return transforms.functional.pil_to_tensor(img).float() / 255")], "RRRRR")
case("p09", "r_shape_tuple", S, [("tensor_shape = [3, 30, 40]", "tensor_shape = (3, 30, 40)")], "RRRRR")
case("p09", "r_shape_size", S, [("tensor_shape = [3, 30, 40]", "tensor_shape = torch.Size([3, 30, 40])")], "RRRRR")
case("p09", "r_normalize_inplace", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                                        "normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], "
                                        "inplace=True)")], "RRRRR",
     note="the issue: the expectation was computed after the learner's code changed the input")
case("p09", "r_normalize_tuples", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                                       "normalize = transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))")], "RRRRR")
case("p09", "r_normalize_one_value", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                                          "normalize = transforms.Normalize([0.5], [0.5])")], "RRRRR")
case("p09", "r_normalize_lambda", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                                       "normalize = lambda t: t * 2 - 1")], "RRRRR")
case("p09", "r_resize_list", S, [("resize = transforms.Resize(20)", "resize = transforms.Resize([20])")], "RRRRR")
case("p09", "r_resize_functional", S, [("resize = transforms.Resize(20)",
                                        "resize = lambda img: transforms.functional.resize(img, 20)")], "RRRRR")
case("p09", "r_pipeline_lambda", S, [("transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                                      "[0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])",
                                      "transforms.Compose([transforms.ToTensor(), lambda t: t * 2 - 1])")], "RRRRR")
case("p09", "w_no_255", S, [("return transforms.ToTensor()(img)",
                             "return torch.from_numpy(np.array(img)).permute(2, 0, 1).float()")], "WRRRR",
     hint={1: ["255"]})
case("p09", "w_no_permute", S, [("return transforms.ToTensor()(img)",
                                 "return torch.from_numpy(np.array(img)).float() / 255")], "WRRRR",
     hint={1: ["通道", "channel", "permute", "(C, H, W)", "CHW"]})
case("p09", "w_uint8", S, [("return transforms.ToTensor()(img)",
                            "return transforms.functional.pil_to_tensor(img)")], "WRRRR",
     hint={1: ["255", "float", "uint8", "dtype"]}, note="a dtype mistake: the values print alike only when cast")
case("p09", "w_shape_hwc", S, [("tensor_shape = [3, 30, 40]", "tensor_shape = [30, 40, 3]")], "RWRRR")
case("p09", "w_shape_wh", S, [("tensor_shape = [3, 30, 40]", "tensor_shape = [3, 40, 30]")], "RWRRR",
     hint={2: ["宽", "width", "img.size"]})
case("p09", "w_shape_text", S, [("tensor_shape = [3, 30, 40]", 'tensor_shape = "[3, 30, 40]"')], "RWRRR",
     note="a shape in quotes is a string")
case("p09", "w_std_one", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                              "normalize = transforms.Normalize([0.5, 0.5, 0.5], [1, 1, 1])")], "RRWRR")
case("p09", "w_mean_one", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                               "normalize = transforms.Normalize([1, 1, 1], [0.5, 0.5, 0.5])")], "RRWRR")
case("p09", "w_normalize_copied", S, [("normalize = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])",
                                       "normalize = lambda t: torch.tensor([-1.0, -0.5, 1.0]).reshape(3, 1, 1)"
                                       ".repeat(1, 2, 2)")], "RRWRR",
     note="a hard-coded output tensor: the value the checker prints")
case("p09", "w_resize_one_picture", S, [("resize = transforms.Resize(20)", "resize = transforms.Resize((20, 30))")],
     "RRRWR", hint={4: ["Resize(20)", "一个数", "one number", "a single", "比例", "aspect"]},
     note="fits only a 60x40 picture (tests/test_exercises.py counts it right today)")
case("p09", "w_resize_swapped", S, [("resize = transforms.Resize(20)", "resize = transforms.Resize((30, 20))")],
     "RRRWR")
case("p09", "w_resize_30", S, [("resize = transforms.Resize(20)", "resize = transforms.Resize(30)")], "RRRWR")
case("p09", "w_compose_order", S, [("transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                                    "[0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])",
                                    "transforms.Compose([transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), "
                                    "transforms.ToTensor()])")], "RRRRW", hint={5: ["ToTensor"]})
case("p09", "w_compose_no_normalize", S, [("transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                                           "[0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])",
                                           "transforms.Compose([transforms.ToTensor()])")], "RRRRW",
     hint={5: ["Normalize"]})
case("p09", "w_compose_half_range", S, [("transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                                         "[0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])",
                                         "transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                                         "[0.5, 0.5, 0.5], [1, 1, 1])])")], "RRRRW",
     note="[-0.5, 0.5] lies inside [-1, 1] but is not it")

# ================================================================ P13-P14 DataLoader
LOADER = "DataLoader(dataset, batch_size=4, shuffle=True, drop_last=True)"
case("p14", "r_floor_division", S, [("batches = 156", "batches = 10000 // 64")], "RR")
case("p14", "r_len_of_loader", S, [("batches = 156", "batches = len(DataLoader(range(10000), batch_size=64, "
                                                   "drop_last=True))")], "RR")
case("p14", "r_two_workers", S, [(LOADER, "DataLoader(dataset, batch_size=4, shuffle=True, drop_last=True, "
                                          "num_workers=2)")], "RR",
     note="P14 teaches num_workers; the issue: 'daemonic processes are not allowed to have children'")
case("p14", "r_keywords", S, [(LOADER, "DataLoader(dataset=dataset, drop_last=True, shuffle=True, batch_size=4)")],
     "RR")
case("p14", "r_sampler", S, [(LOADER, "DataLoader(dataset, batch_size=4, drop_last=True, "
                                      "sampler=__import__('torch').utils.data.RandomSampler(dataset))")], "RR")
case("p14", "w_text_156", S, [("batches = 156", 'batches = "156"')], "WR",
     note="a number in quotes: got and wanted must not read the same")
case("p14", "w_157", S, [("batches = 156", "batches = 157")], "WR", hint={1: ["drop_last"]})
case("p14", "w_true_division", S, [("batches = 156", "batches = 10000 / 64")], "WR")
case("p14", "w_keeps_last", S, [(LOADER, "DataLoader(dataset, batch_size=4, shuffle=True)")], "RW",
     hint={2: ["drop_last"]})
case("p14", "w_no_shuffle", S, [(LOADER, "DataLoader(dataset, batch_size=4, drop_last=True)")], "RW",
     hint={2: ["shuffle"]})
case("p14", "w_batch_two", S, [(LOADER, "DataLoader(dataset, batch_size=2, shuffle=True, drop_last=True)")], "RW")
case("p14", "w_shuffled_once", S, [(LOADER, "DataLoader(dataset[__import__('torch').randperm(len(dataset))], "
                                            "batch_size=4, drop_last=True)")], "RW", hint={2: ["shuffle"]},
     note="one order for every epoch")
case("p14", "w_list_of_batches", S, [(LOADER, "[dataset[0:4], dataset[4:8]]")], "RW",
     note="a hard-coded list of batches")

# ================================================================ P15 nn.Module
case("p15", "r_add_twice", S, [("output = input * 2 + 1", "output = input + input + 1")], "RR")
case("p15", "r_torch_ops", S, [("output = input * 2 + 1", "output = torch.add(torch.mul(input, 2), 1)")], "RR")
case("p15", "r_inplace", S, [("output = input * 2 + 1", "output = input.mul_(2).add_(1)")], "RR",
     note="changes the input in place, as Normalize(inplace=True) does; the output is right")
case("p15", "r_super_named", S, [("        super().__init__()\n        self.linear",
                                  "        super(WithLayer, self).__init__()\n        self.linear")], "RR")
case("p15", "r_module_init", S, [("        super().__init__()\n        self.linear",
                                  "        nn.Module.__init__(self)\n        self.linear")], "RR")
case("p15", "r_own_layer_name", S, rename={"linear": "fc"}, expect="RR",
     note="the layer under another name than self.linear")
case("p15", "w_order", S, [("output = input * 2 + 1", "output = (input + 1) * 2")], "WR")
case("p15", "w_copied_output", S, [("output = input * 2 + 1", "output = torch.tensor([3.0, -3.0, 2.0])")], "WR",
     note="the value the checker prints")
case("p15", "w_super_after", S, [("        super().__init__()\n        self.linear = nn.Linear(2, 1)",
                                  "        self.linear = nn.Linear(2, 1)\n        super().__init__()")], "RW",
     hint={2: ["super().__init__()"]})
case("p15", "w_layer_not_on_self", S, [("self.linear = nn.Linear(2, 1)", "linear = nn.Linear(2, 1)")], "RW",
     hint={2: ["self.", "'linear'"]})
case("p15", "w_layer_three_in", S, [("self.linear = nn.Linear(2, 1)", "self.linear = nn.Linear(3, 1)")], "RW")

# ================================================================ P16 convolution
FORMULA = "return (size + 2 * padding - kernel) // stride + 1"
case("p16", "r_corner_sum", S, [("corner = 10", "corner = 1*1 + 2*2 + 0*1 + 0*0 + 1*1 + 2*0 + 1*2 + 2*1 + 1*0")], "RRR")
case("p16", "r_corner_float", S, [("corner = 10", "corner = 10.0")], "RRR")
case("p16", "r_corner_tensor", S, [("corner = 10", "corner = __import__('torch').tensor(10)")], "RRR")
case("p16", "r_stride3_pad1", S, [("stride = 2", "stride = 3"), ("padding = 0", "padding = 1")], "RRR")
case("p16", "r_true_division_int", S, [(FORMULA, "return int((size - kernel + padding * 2) / stride) + 1")], "RRR")
case("p16", "r_floor", S, [(FORMULA, "import math\n"
                                     "    return math.floor((size + 2 * padding - kernel) / stride) + 1")], "RRR")
case("p16", "w_corner_12", S, [("corner = 10", "corner = 12")], "WRR")
case("p16", "w_stride3", S, [("stride = 2", "stride = 3")], "RWR", note="1x1: stride 3 needs padding 1")
case("p16", "w_stride2_pad1", S, [("padding = 0", "padding = 1")], "RWR")
case("p16", "w_stride3_pad2", S, [("stride = 2", "stride = 3"), ("padding = 0", "padding = 2")], "RWR")
case("p16", "w_true_division", S, [(FORMULA, "return (size + 2 * padding - kernel) / stride + 1")], "RRW",
     hint={3: ["//"]})
case("p16", "w_no_plus_one", S, [(FORMULA, "return (size + 2 * padding - kernel) // stride")], "RRW",
     hint={3: ["+ 1", "+1"]})
case("p16", "w_one_padding", S, [(FORMULA, "return (size + padding - kernel) // stride + 1")], "RRW",
     hint={3: ["2*padding", "2 * padding", "两边", "both sides"]})
case("p16", "w_ceil", S, [(FORMULA, "import math\n"
                                    "    return math.ceil((size + 2 * padding - kernel) / stride) + 1")], "RRW",
     hint={3: ["//", "向下", "floor", "round down"]})
case("p16", "w_return_3", S, [(FORMULA, "return 3")], "RRW", note="the answer of the first example")

# ================================================================ P17 Conv2d
SAME = "Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=1)"
HALF = "Conv2d(3, 16, 3, stride=2, padding=1)"
case("p17", "r_same_k5", S, [(SAME, "Conv2d(in_channels=3, out_channels=6, kernel_size=5, stride=1, padding=2)")],
     "RRR")
case("p17", "r_same_string", S, [(SAME, "Conv2d(3, 6, 3, padding='same')")], "RRR")
case("p17", "r_same_k1", S, [(SAME, "Conv2d(3, 6, 1)")], "RRR")
case("p17", "r_same_functional", S, [("conv_same = " + SAME,
                                      "import torch\nconv_same = lambda x: torch.nn.functional.conv2d("
                                      "x, torch.ones(6, 3, 3, 3), padding=1)")], "RRR")
case("p17", "r_side_expr", S, [("out_side = 14", "out_side = (32 - 5) // 2 + 1")], "RRR")
case("p17", "r_half_k2", S, [(HALF, "Conv2d(3, 16, kernel_size=2, stride=2)")], "RRR")
case("p17", "r_half_k4", S, [(HALF, "Conv2d(3, 16, 4, stride=2, padding=1)")], "RRR")
case("p17", "r_half_conv_pool", S, [("conv_half = " + HALF,
                                     "from torch.nn import MaxPool2d, Sequential\n"
                                     "conv_half = Sequential(Conv2d(3, 16, 3, padding=1), MaxPool2d(2))")], "RRR")
case("p17", "w_same_pad2", S, [(SAME, "Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=2)")],
     "WRR", hint={1: ["padding"]})
case("p17", "w_same_three_out", S, [(SAME, "Conv2d(in_channels=3, out_channels=3, kernel_size=3, stride=1, "
                                           "padding=1)")], "WRR", hint={1: ["out_channels", "6"]})
case("p17", "r_side_float", S, [("out_side = 14", "out_side = 14.0")], "RRR")
case("p17", "w_side_15", S, [("out_side = 14", "out_side = 15")], "RWR")
case("p17", "w_side_half", S, [("out_side = 14", "out_side = 14.5")], "RWR")
case("p17", "w_half_no_padding", S, [(HALF, "Conv2d(3, 16, 3, stride=2)")], "RRW", hint={3: ["padding"]},
     note="the issue's review (item 4): the hint said stride=2, which the learner wrote")
case("p17", "w_half_six_out", S, [(HALF, "Conv2d(3, 6, 3, stride=2, padding=1)")], "RRW",
     hint={3: ["out_channels", "16"]})
case("p17", "w_half_no_stride", S, [(HALF, "Conv2d(3, 16, 3, padding=1)")], "RRW", hint={3: ["stride"]})

# ================================================================ P18 MaxPool2d
POOL = "pool = MaxPool2d(kernel_size=3, ceil_mode=True)"
POOL11 = "pool11 = MaxPool2d(kernel_size=3, ceil_mode=True)"
case("p18", "r_functional", S, [(POOL, "import torch.nn.functional as F\n"
                                       "pool = lambda x: F.max_pool2d(x, 3, ceil_mode=True)")], "RR")
case("p18", "r_tuple_kernel", S, [(POOL, "pool = MaxPool2d(kernel_size=(3, 3), ceil_mode=True)")], "RR")
case("p18", "r_stride_said", S, [(POOL, "pool = MaxPool2d(3, stride=3, ceil_mode=True)")], "RR")
case("p18", "r_list_kernel", S, [(POOL11, "pool11 = MaxPool2d(kernel_size=[3, 3], ceil_mode=True)")], "RR",
     note="the issue: the check wanted a tuple")
case("p18", "r_eleven_padding", S, [(POOL11, "pool11 = MaxPool2d(3, padding=1)")], "RR")
case("p18", "r_eleven_functional", S, [(POOL11, "import torch.nn.functional as F\n"
                                                "pool11 = lambda x: F.max_pool2d(x, kernel_size=3, ceil_mode=True)")],
     "RR", note="the issue: the check wanted an nn.MaxPool2d")
case("p18", "r_eleven_sequential", S, [(POOL11, "from torch.nn import Sequential\n"
                                                "pool11 = Sequential(MaxPool2d(3, ceil_mode=True))")], "RR")
case("p18", "w_no_ceil", S, [(POOL, "pool = MaxPool2d(kernel_size=3)")], "WR", hint={1: ["ceil_mode"]})
case("p18", "w_copied_output", S, [(POOL, "import torch\n"
                                          "pool = lambda x: torch.tensor([[[[2.0, 3.0], [5.0, 1.0]]]])")], "WR",
     note="the value in the task's own title")
case("p18", "w_window_two", S, [(POOL, "pool = MaxPool2d(kernel_size=2, ceil_mode=True)")], "WR")
case("p18", "w_eleven_stride2", S, [(POOL11, "pool11 = MaxPool2d(3, stride=2)")], "RW")
case("p18", "w_eleven_window_two", S, [(POOL11, "pool11 = MaxPool2d(2, stride=3, ceil_mode=True)")], "RW",
     hint={2: ["3"]}, note="the right shape from a 2x2 window")
case("p18", "w_eleven_average", S, [(POOL11, "from torch.nn import AvgPool2d\n"
                                             "pool11 = AvgPool2d(3, ceil_mode=True)")], "RW",
     note="the right shape, averages instead of maxima")
case("p18", "w_eleven_adaptive", S, [(POOL11, "from torch.nn import AdaptiveMaxPool2d\n"
                                              "pool11 = AdaptiveMaxPool2d(11)")], "RW",
     note="the right shape, windows of 3 and 4")

# ================================================================ P19 activations
case("p19", "r_lambda", S, [("activation = Sigmoid()", "activation = lambda x: 1 / (1 + (-x).exp())")], "RR")
case("p19", "r_torch_sigmoid", S, [("activation = Sigmoid()", "import torch\nactivation = torch.sigmoid")], "RR")
case("p19", "r_nn_sigmoid", S, [("activation = Sigmoid()", "import torch\nactivation = torch.nn.Sigmoid()")], "RR")
case("p19", "w_relu", S, [("activation = Sigmoid()", "activation = ReLU()")], "WR", hint={1: ["Sigmoid", "(0, 1)"]})
case("p19", "w_tanh", S, [("activation = Sigmoid()", "from torch.nn import Tanh\nactivation = Tanh()")], "WR",
     hint={1: ["Sigmoid", "(0, 1)", "-1"]})
case("p19", "w_softmax", S, [("activation = Sigmoid()", "from torch.nn import Softmax\nactivation = Softmax(dim=1)")],
     "WR", note="values in (0, 1), but not each number on its own")
case("p19", "w_copied_output", S, [("activation = Sigmoid()",
                                    "import torch\nactivation = lambda x: torch.tensor([[0.7311, 0.3775], "
                                    "[0.2689, 0.9526]])")], "WR", note="the value the checker prints")
case("p19", "w_false", S, [("input_changed = True", "input_changed = False")], "RW", hint={2: ["inplace"]})
case("p19", "w_text_true", S, [("input_changed = True", 'input_changed = "True"')], "RW",
     note="a string, not a bool")

# ================================================================ P20 Linear
FLAT = "return torch.flatten(imgs, start_dim=1)"
case("p20", "r_reshape", S, [(FLAT, "return imgs.reshape(imgs.shape[0], -1)")], "RR")
case("p20", "r_view", S, [(FLAT, "return imgs.view(imgs.size(0), -1)")], "RR")
case("p20", "r_minus_one_first", S, [(FLAT, "return imgs.reshape(-1, 3072)")], "RR")
case("p20", "r_flatten_module", S, [(FLAT, "return torch.nn.Flatten()(imgs)")], "RR")
case("p20", "r_in_expr", S, [("linear = Linear(3072, 10)", "linear = Linear(3 * 32 * 32, 10)")], "RR")
case("p20", "r_in_keywords", S, [("linear = Linear(3072, 10)", "linear = Linear(in_features=3072, out_features=10)")],
     "RR")
case("p20", "r_linear_in_sequential", S, [("linear = Linear(3072, 10)",
                                           "linear = torch.nn.Sequential(Linear(3072, 10))")], "RR")
case("p20", "w_whole_batch", S, [(FLAT, "return torch.flatten(imgs)")], "WR", hint={1: ["start_dim"]},
     note="a wrong flatten must not fail the right Linear of task 2")
case("p20", "w_batch_64", S, [(FLAT, "return torch.reshape(imgs, (64, -1))")], "WR",
     hint={1: ["64", "批大小", "batch"]}, note="right for the one batch of 64 only")
case("p20", "w_copied_shape", S, [(FLAT, "return torch.ones(64, 3072)")], "WR", note="a hard-coded output tensor")
case("p20", "w_mixes_images", S, [(FLAT, "return imgs.reshape(3072, -1).T")], "WR",
     note="the right shape, numbers from several pictures in each row")
case("p20", "w_in_1024", S, [("linear = Linear(3072, 10)", "linear = Linear(1024, 10)")], "RW", hint={2: ["3072"]})
case("p20", "w_hundred_out", S, [("linear = Linear(3072, 10)", "linear = Linear(3072, 100)")], "RW")

# ================================================================ P21 Sequential
case("p21", "r_flatten_linear", S, [("model = Sequential(", "model = Sequential(Flatten(), Linear(3072, 10))\n"
                                                           "unused = Sequential(")], "RRR")
case("p21", "r_padding_same", S, [("Conv2d(3, 32, 5, padding=2)", "Conv2d(3, 32, 5, padding='same')"),
                                  ("Conv2d(32, 32, 5, padding=2)", "Conv2d(32, 32, 5, padding='same')"),
                                  ("Conv2d(32, 64, 5, padding=2)", "Conv2d(32, 64, 5, padding='same')")], "RRR")
case("p21", "r_padding_expr", S, [("same_padding = 2", "same_padding = (5 - 1) // 2")], "RRR")
case("p21", "r_features_expr", S, [("flat_features = 1024", "flat_features = 64 * 4 * 4")], "RRR")
case("p21", "w_one_padding", S, [("Conv2d(32, 32, 5, padding=2)", "Conv2d(32, 32, 5)"),
                                 ("Conv2d(32, 64, 5, padding=2)", "Conv2d(32, 64, 5)")], "WRR",
     hint={1: ["padding"]})
case("p21", "w_fixed_output", S, [("model = Sequential(", "import torch\nmodel = lambda x: torch.zeros(64, 10)\n"
                                                          "unused = Sequential(")], "WRR",
     note="a hard-coded output tensor of the printed shape")
case("p21", "w_padding_1", S, [("same_padding = 2", "same_padding = 1")], "RWR")
case("p21", "w_padding_4", S, [("same_padding = 2", "same_padding = 4")], "RWR")
case("p21", "w_features_256", S, [("flat_features = 1024", "flat_features = 64 * 4")], "RRW")
case("p21", "w_features_text", S, [("flat_features = 1024", 'flat_features = "1024"')], "RRW",
     note="a number in quotes: got and wanted must not read the same")
case("p21", "w_features_64", S, [("flat_features = 1024", "flat_features = 64")], "RRW")

# ================================================================ P22 loss
L1 = "loss_fn = L1Loss(reduction='sum')"
CE = "classification_loss = nn.CrossEntropyLoss()"
case("p22", "r_lambda", S, [(L1, "loss_fn = lambda a, b: (a - b).abs().sum()")], "RR")
case("p22", "r_functional", S, [(L1, "loss_fn = lambda a, b: nn.functional.l1_loss(a, b, reduction='sum')")], "RR")
case("p22", "r_dist_p1", S, [(L1, "import torch\nloss_fn = lambda a, b: torch.dist(a, b, p=1)")], "RR",
     note="torch.dist with p=1 is the L1 sum")
case("p22", "r_mean_times_count", S, [(L1, "loss_fn = lambda a, b: L1Loss()(a, b) * a.numel()")], "RR")
case("p22", "r_ce_functional", S, [(CE, "classification_loss = nn.functional.cross_entropy")], "RR")
case("p22", "r_ce_mean_said", S, [(CE, "classification_loss = nn.CrossEntropyLoss(reduction='mean')")], "RR")
case("p22", "r_ce_by_hand", S, [(CE, "classification_loss = lambda x, y: nn.functional.nll_loss("
                                     "nn.functional.log_softmax(x, dim=1), y)")], "RR")
case("p22", "w_mean", S, [(L1, "loss_fn = L1Loss()")], "WR", hint={1: ["reduction"]})
case("p22", "w_constant", S, [(L1, "import torch\nloss_fn = lambda a, b: torch.tensor(2.0)")], "WR",
     note="the issue: the value the task asks for")
case("p22", "w_dist", S, [(L1, "import torch\nloss_fn = lambda a, b: torch.dist(a, b)")], "WR",
     avoid={1: ["reduction='mean'"]}, note="the issue: the 2-norm equals the L1 sum on the one example")
case("p22", "w_mse_sum", S, [(L1, "loss_fn = nn.MSELoss(reduction='sum')")], "WR", hint={1: ["L1"]})
case("p22", "w_mse", S, [(L1, "loss_fn = nn.MSELoss()")], "WR")
case("p22", "w_ce_sum", S, [(CE, "classification_loss = nn.CrossEntropyLoss(reduction='sum')")], "RW",
     hint={2: ["reduction", "mean"]}, note="the issue: told to use cross entropy, which it does")
case("p22", "w_nll", S, [(CE, "classification_loss = nn.NLLLoss()")], "RW",
     hint={2: ["CrossEntropy", "log_softmax", "交叉熵", "cross entropy", "cross-entropy"]})
case("p22", "w_mse_for_classes", S, [(CE, "classification_loss = nn.MSELoss()")], "RW",
     hint={2: ["CrossEntropy", "交叉熵", "cross entropy", "cross-entropy"]})
case("p22", "w_ce_constant", S, [(CE, "import torch\nclassification_loss = lambda x, y: torch.tensor(1.1019)")], "RW",
     note="the value of the first example")

# ================================================================ P23 optimizer
OPT = "return torch.optim.SGD(model.parameters(), lr=0.1)"
case("p23", "r_lr_03", S, [("lr = 0.5", "lr = 0.3")], "RR")
case("p23", "r_lr_02", S, [("lr = 0.5", "lr = 0.2")], "RR")
case("p23", "r_lr_08", S, [("lr = 0.5", "lr = 0.8")], "RR")
case("p23", "r_adam", S, [(OPT, "return torch.optim.Adam(model.parameters(), lr=0.01)")], "RR")
case("p23", "r_list", S, [(OPT, "return torch.optim.SGD(list(model.parameters()), lr=0.1)")], "RR")
case("p23", "r_groups", S, [(OPT, "return torch.optim.SGD([{'params': model[0].parameters()}, "
                                  "{'params': model[2].parameters()}], lr=0.1)")], "RR")
case("p23", "r_small_steps", S, [(OPT, "return torch.optim.SGD(model.parameters(), lr=0.001)")], "RR",
     note="every layer is trained, slowly")
case("p23", "w_lr_zero", S, [("lr = 0.5", "lr = 0.0")], "WR", hint={1: SMALL + ["0"]}, avoid={1: BIG})
case("p23", "w_lr_tiny", S, [("lr = 0.5", "lr = 0.0001")], "WR", hint={1: SMALL}, avoid={1: BIG})
case("p23", "w_lr_big", S, [("lr = 0.5", "lr = 5.0")], "WR", hint={1: BIG}, avoid={1: SMALL})
case("p23", "w_lr_one", S, [("lr = 0.5", "lr = 1.0")], "WR", hint={1: BIG}, avoid={1: SMALL},
     note="the issue: lr = 1.0 oscillates (the loss stays near 2.36); the old hint said too small")
case("p23", "w_lr_negative", S, [("lr = 0.5", "lr = -0.5")], "WR")
case("p23", "w_first_layer", S, [(OPT, "return torch.optim.SGD(model[0].parameters(), lr=0.1)")], "RW",
     hint={2: ["parameters()"]})
case("p23", "w_last_layer", S, [(OPT, "return torch.optim.SGD(model[2].parameters(), lr=0.1)")], "RW",
     hint={2: ["parameters()"]})
case("p23", "w_lr_zero_optimizer", S, [(OPT, "return torch.optim.SGD(model.parameters(), lr=0)")], "RW")

# ================================================================ P24 VGG16
LAST = "vgg.classifier[6] = nn.Linear(4096, 10)"
case("p24", "r_add_module", S, [(LAST, 'vgg.classifier.add_module("7", nn.Linear(1000, 10))')], "RR")
case("p24", "r_in_features", S, [(LAST, "vgg.classifier[6] = nn.Linear(vgg.classifier[6].in_features, 10)")], "RR")
case("p24", "r_no_return", S, [("    return vgg\n", "")], "RR", note="changes the model in place, returns None")
case("p24", "r_new_classifier", S, [(LAST, "vgg.classifier = nn.Sequential(*list(vgg.classifier.children())[:-1], "
                                           "nn.Linear(4096, 10))")], "RR")
case("p24", "r_count_number", S, [("new_layer_parameters = 4096 * 10 + 10", "new_layer_parameters = 40970")], "RR")
case("p24", "r_count_float", S, [("new_layer_parameters = 4096 * 10 + 10", "new_layer_parameters = 40970.0")],
     "RR")
case("p24", "w_in_1000", S, [(LAST, "vgg.classifier[6] = nn.Linear(1000, 10)")], "WR", hint={1: ["4096"]})
case("p24", "w_new_model", S, [(LAST, "import torchvision\n    vgg = torchvision.models.vgg16(num_classes=10)")], "WR",
     note="a new VGG16 of its own: the weights it was given are dropped")
case("p24", "w_no_bias", S, [("new_layer_parameters = 4096 * 10 + 10", "new_layer_parameters = 4096 * 10")], "RW",
     hint={2: ["bias", "偏置"]})
case("p24", "w_plus", S, [("new_layer_parameters = 4096 * 10 + 10", "new_layer_parameters = 4096 + 10")], "RW")

# ================================================================ P25 save and load
LOAD = "model.load_state_dict(torch.load(path, weights_only=True))\n    return model\n\n\n# ---- 任务 2"
SMALL_NET = "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))"
case("p25", "r_whole_model", S, [("torch.save(model.state_dict(), path)", "torch.save(model, path)"),
                                 (LOAD, "return torch.load(path, weights_only=False)\n\n\n# ---- 任务 2")], "RR",
     note="保存方式 1 both ways")
case("p25", "r_map_location", S, [(LOAD, "model.load_state_dict(torch.load(path, map_location='cpu', "
                                         "weights_only=True))\n    return model\n\n\n# ---- 任务 2")], "RR")
case("p25", "r_eval", S, [(LOAD, "model.load_state_dict(torch.load(path, weights_only=True))\n    model.eval()\n"
                                 "    return model\n\n\n# ---- 任务 2")], "RR")
case("p25", "r_size_from_file", S, [(SMALL_NET, "state = torch.load(path, weights_only=True)\n"
                                                "    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), "
                                                "nn.Linear(8, state['2.weight'].shape[0]))")], "RR")
case("p25", "r_own_names", S, rename={"model": "net"}, expect="RR")
case("p25", "w_no_load", S, [(LOAD, "return model\n\n\n# ---- 任务 2")], "WR", hint={1: ["load_state_dict"]})
case("p25", "w_returns_dict", S, [(LOAD, "return torch.load(path, weights_only=True)\n\n\n# ---- 任务 2")], "WR",
     hint={1: ["load_state_dict"]})
case("p25", "w_saves_nothing", S, [("torch.save(model.state_dict(), path)", "pass")], "WR")
case("p25", "w_small_two", S, [(SMALL_NET, "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))")],
     "RW", hint={2: ["size mismatch", "3"]})
case("p25", "w_small_not_strict", S, [(SMALL_NET + "\n    model.load_state_dict(torch.load(path, weights_only=True))",
                                       "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))\n"
                                       "    model.load_state_dict(torch.load(path, weights_only=True), strict=False)")],
     "RW")
case("p25", "w_small_sigmoid", S, [(SMALL_NET, "model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), "
                                               "nn.Linear(8, 3))")], "RW",
     note="loads without an error, computes something else")

# ================================================================ P26 training
COUNT = "    preds = outputs.argmax(1)\n    return (preds == targets).sum()"
EVAL = "    model.eval()\n    with torch.no_grad():\n        outputs = model(imgs)"
STEP = "        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()"
case("p26", "r_max_indices", S, [("preds = outputs.argmax(1)", "preds = outputs.max(dim=1).indices")], "RRR")
case("p26", "r_item", S, [(COUNT, "    return (outputs.argmax(dim=1) == targets).sum().item()")], "RRR")
case("p26", "r_float_sum", S, [(COUNT, "    return (outputs.argmax(1) == targets).float().sum()")], "RRR")
case("p26", "r_loop", S, [(COUNT, "    right = 0\n    for row, target in zip(outputs, targets):\n"
                                  "        if row.argmax() == target:\n            right += 1\n    return right")], "RRR")
case("p26", "r_inference_mode", S, [(EVAL, "    model.eval()\n    with torch.inference_mode():\n"
                                           "        outputs = model(imgs)")], "RRR")
case("p26", "r_no_grad_first", S, [(EVAL, "    with torch.no_grad():\n        model.eval()\n"
                                          "        outputs = model(imgs)")], "RRR")
case("p26", "r_train_false", S, [(EVAL, "    model.train(False)\n    with torch.set_grad_enabled(False):\n"
                                        "        outputs = model(imgs)")], "RRR")
case("p26", "r_model_zero_grad", S, [(STEP, "        model.zero_grad()\n        loss.backward()\n"
                                            "        optimizer.step()")], "RRR")
case("p26", "r_zero_after_step", S, [(STEP, "        loss.backward()\n        optimizer.step()\n"
                                            "        optimizer.zero_grad()")], "RRR")
case("p26", "r_own_names", S, rename={"preds": "guesses", "loss_fn": "criterion", "step": "_"}, expect="RRR")
case("p26", "w_argmax0", S, [("preds = outputs.argmax(1)", "preds = outputs.argmax(0)")], "WRR",
     hint={1: ["argmax(1)"]})
case("p26", "w_mean", S, [(COUNT, "    return (outputs.argmax(1) == targets).float().mean()")], "WRR",
     hint={1: ["sum", "mean", "几个", "个数", "比例", "how many", "count", "ratio", "fraction"]}, avoid={1: ["argmax(0)"]},
     note="the issue: the argmax hint for a mean-versus-count mistake")
case("p26", "w_return_3", S, [(COUNT, "    return 3")], "WRR", note="the issue: the value the checker prints")
case("p26", "w_max_values", S, [("preds = outputs.argmax(1)", "preds = outputs.max(1).values")], "WRR")
case("p26", "w_no_no_grad", S, [(EVAL, "    model.eval()\n    outputs = model(imgs)")], "RWR", hint={2: ["no_grad"]})
case("p26", "w_no_eval", S, [(EVAL, "    with torch.no_grad():\n        outputs = model(imgs)")], "RWR",
     hint={2: ["eval()"]})
case("p26", "w_detach", S, [(EVAL, "    model.eval()\n    outputs = model(imgs).detach()")], "RWR",
     hint={2: ["no_grad"]}, note="builds the graph, then drops it")
case("p26", "w_zero_after_backward", S, [(STEP, "        loss.backward()\n        optimizer.zero_grad()\n"
                                                "        optimizer.step()")], "RRW", hint={3: ["zero_grad"]})
case("p26", "w_zero_once", S, [(STEP, "        loss.backward()\n        optimizer.step()"),
                               ("    for step in range(steps):", "    optimizer.zero_grad()\n"
                                                                   "    for step in range(steps):")], "RRW",
     hint={3: ["zero_grad"]})
case("p26", "w_no_step", S, [(STEP, "        optimizer.zero_grad()\n        loss.backward()")], "RRW",
     hint={3: ["step"]}, note="zero_grad is there; a hint about zero_grad would be false")

# ================================================================ P31 prediction
TO32 = "torchvision.transforms.Resize((32, 32))"
PREDICT = ("    model.eval()\n    with torch.no_grad():\n        output = model(image)\n")
case("p31", "r_unsqueeze", S, [("return torch.reshape(image, (1, 3, 32, 32))", "return image.unsqueeze(0)")], "RR")
case("p31", "r_convert_in_compose", S, [("    image = image.convert('RGB')\n", ""),
                                        ("torchvision.transforms.Compose([" + TO32,
                                         "torchvision.transforms.Compose([lambda im: im.convert('RGB'), " + TO32)],
     "RR")
case("p31", "r_resize_list", S, [(TO32, "torchvision.transforms.Resize([32, 32])")], "RR")
case("p31", "r_int", S, [("return output.argmax(1).item()", "return int(torch.argmax(output, dim=1))")], "RR")
case("p31", "r_inference_mode", S, [(PREDICT, "    model.eval()\n    with torch.inference_mode():\n"
                                              "        output = model(image)\n")], "RR")
case("p31", "r_tolist", S, [("return output.argmax(1).item()", "return output.argmax(1).tolist()[0]")], "RR")
case("p31", "r_own_names", S, rename={"transform": "to_net", "output": "scores"}, expect="RR")
case("p31", "w_no_convert", S, [("    image = image.convert('RGB')\n", "")], "WR", hint={1: ["convert"]})
case("p31", "w_resize_one_number", S, [(TO32, "torchvision.transforms.Resize(32)")], "WR",
     hint={1: ["(32, 32)", "[32, 32]"]})
case("p31", "w_slice_channels", S, [("    image = image.convert('RGB')\n", ""),
                                    ("return torch.reshape(image, (1, 3, 32, 32))",
                                     "return torch.reshape(image[:3], (1, 3, 32, 32))")], "WR",
     hint={1: ["convert"]}, note="right for RGBA, not for a grey picture")
case("p31", "w_normalized", S, [("torchvision.transforms.ToTensor()])",
                                 "torchvision.transforms.ToTensor(), "
                                 "torchvision.transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])")], "WR",
     note="P31's network was trained on 0..1 pictures")
case("p31", "w_zeros", S, [("return torch.reshape(image, (1, 3, 32, 32))", "return torch.zeros(1, 3, 32, 32)")],
     "WR", note="a hard-coded tensor of the printed shape")
case("p31", "w_argmax0", S, [("return output.argmax(1).item()", "return output.argmax(0)")], "RW",
     hint={2: ["argmax(1)"]})
case("p31", "w_no_no_grad", S, [(PREDICT, "    model.eval()\n    output = model(image)\n")], "RW",
     hint={2: ["no_grad"]}, note="the issue: eval() without no_grad() where the task says both")
case("p31", "w_no_eval", S, [(PREDICT, "    with torch.no_grad():\n        output = model(image)\n")], "RW",
     hint={2: ["eval()"]})
case("p31", "w_tensor", S, [("return output.argmax(1).item()", "return output.argmax(1)")], "RW",
     hint={2: [".item()", "int"]}, note="a tensor of shape [1], the task says an integer")
case("p31", "w_return_2", S, [("return output.argmax(1).item()", "return 2")], "RW",
     note="the value the checker prints")
case("p31", "w_max_value", S, [("return output.argmax(1).item()", "return output.max(1).values.item()")], "RW")

# ================================================================ hostile files: as saved, and as written to get away
case("p17", "h_bom", S, expect="RRR", encoding="bom", seconds=HOSTILE, note="Windows Notepad's UTF-8")
case("p22", "h_bom_untouched", X, expect="WW", encoding="bom", seconds=HOSTILE)
case("p06", "h_gbk", S, expect="RR", encoding="gbk", seconds=HOSTILE, note="GBK with its coding line")
case("p09", "h_gbk_no_coding_line", S, expect="NNNNN", encoding="gbk-bare", line="# ---- 任务 1",
     seconds=HOSTILE, note="Python refuses it too: one line, the first line that is not UTF-8")
case("p26", "h_crlf", S, expect="RRR", encoding="crlf", seconds=HOSTILE)
case("p26", "h_crlf_wrong", S, [("preds = outputs.argmax(1)", "preds = outputs.argmax(0)")], "WRR", encoding="crlf",
     hint={1: ["argmax(1)"]}, seconds=HOSTILE)
case("p15", "h_tabs", S, expect="RR", encoding="tabs", seconds=HOSTILE)
case("p15", "h_mixed_tabs", S, [("        return output", "\treturn output")], "NN", line="\treturn output",
     seconds=HOSTILE, note="TabError: Python refuses it too")
case("p17", "h_syntax_error", S, [("out_side = 14", "out_side = (14")], "?NN", line="out_side = (14", seconds=HOSTILE)
case("p22", "h_name_error", S, [(CE, "classification_loss = nn.CrossEntropyLos()")], "?N",
     line="nn.CrossEntropyLos()", seconds=HOSTILE)
case("p16", "h_missing_module", S, [("corner = 10", "import cv2_not_installed\ncorner = 10")], "NNN",
     line="import cv2_not_installed", seconds=HOSTILE)
case("p15", "h_recursion", S, [("output = input * 2 + 1", "output = self.forward(input)")], "ER",
     line="output = self.forward(input)", seconds=HOSTILE)
case("p26", "h_sys_exit_in_function", S, [(COUNT, "    import sys\n    sys.exit()")], "ERR", line="sys.exit()",
     seconds=HOSTILE, note="the issue: the later tasks were skipped silently")
case("p14", "h_sys_exit_module", S, [("batches = 156", "batches = 156\nimport sys\nsys.exit(0)")], "EN",
     line="sys.exit(0)", seconds=HOSTILE)
case("p19", "h_os_exit_module", S, [("input_changed = True", "input_changed = True\nimport os\nos._exit(0)")], "?E",
     line="os._exit(0)", seconds=HOSTILE)
case("p23", "h_os_exit_in_function", S, [(OPT, "import os\n    os._exit(3)")], "RE", line="os._exit(3)",
     seconds=HOSTILE)
case("p16", "h_sleep_module", S, [("padding = 0", "padding = 0\nimport time\ntime.sleep(10 ** 6)")], "?EN",
     line="time.sleep(10 ** 6)", seconds=HOSTILE)
case("p20", "h_sleep_in_function", S, [(FLAT, "import time\n    time.sleep(10 ** 6)")], "ER",
     line="time.sleep(10 ** 6)", seconds=HOSTILE, note="task 2 is judged with the reference flatten")
case("p18", "h_swallowing_loop_module", S, [(POOL11, POOL11 + "\nwhile True:\n    try:\n        pass\n"
                                                     "    except BaseException:\n        pass")], "?E",
     line="while True:", seconds=HOSTILE)
case("p25", "h_swallowing_loop_in_function", S, [(LOAD, "import time\n    while True:\n        try:\n"
                                                        "            time.sleep(1)\n"
                                                        "        except BaseException:\n            pass\n\n\n"
                                                        "# ---- 任务 2")], "ER", line=("time.sleep(1)", "while True:"),
     seconds=HOSTILE, note="the line of the sleep, or the loop's first line")
case("p09", "h_sigint_ignored_module", S, [("tensor_shape = [3, 30, 40]",
                                            "tensor_shape = [3, 30, 40]\nimport signal\n"
                                            "signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")],
     "?ENNN", line="while True:", seconds=HOSTILE,
     note="the issue: as run from a script, under nohup, from some IDE runners")
case("p31", "h_sigint_ignored_in_function", S, [("    image = image.convert('RGB')\n",
                                                 "    import signal, time\n"
                                                 "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                                 "    while True:\n        time.sleep(0.1)\n")], "ER",
     line=("time.sleep(0.1)", "while True:"), seconds=HOSTILE,
     note="the line of the sleep, or the loop's first line")
case("p08", "h_input_module", S, [("def draw(writer):", "name = input('你的名字：')\n\n\ndef draw(writer):")], "EN",
     line="input(", seconds=HOSTILE, note="stdin stays open and silent, as a terminal would")
case("p24", "h_input_in_function", S, [(LAST, "input('按回车继续')\n    " + LAST)], "ER", line="input(",
     seconds=HOSTILE)
case("p19", "h_endless_thread", S, [("input_changed = True",
                                     "input_changed = True\nimport threading, time\n"
                                     "threading.Thread(target=time.sleep, args=(10 ** 6,)).start()")], "RR",
     seconds=HOSTILE, note="a thread that never ends must not keep the checker waiting")
case("p15", "h_patch_allclose", S, [("output = input * 2 + 1", "output = input + 1"),
                                    ("import torch\n", "import torch\ntorch.allclose = lambda *a, **k: True\n")],
     "WR", seconds=HOSTILE, note="patches torch to pass")
case("p25", "h_patch_allclose_load", S, [(LOAD, "return model\n\n\n# ---- 任务 2"),
                                         ("import torch\n", "import torch\ntorch.allclose = lambda *a, **k: True\n")],
     "WR", seconds=HOSTILE)
case("p23", "h_patch_equal", S, [(OPT, "return torch.optim.SGD(model[0].parameters(), lr=0.1)"),
                                 ("import torch\n", "import torch\ntorch.equal = lambda *a, **k: False\n")],
     "RW", seconds=HOSTILE)
case("p19", "h_patch_tensor_eq", S, [("input_changed = True", "import torch\n"
                                      "torch.Tensor.__eq__ = lambda self, other: torch.tensor(False)\n"
                                      "input_changed = False")], "RW", seconds=HOSTILE)
case("p26", "h_patch_argmax", S, [("preds = outputs.argmax(1)", "preds = outputs.argmax(0)"),
                                  ("import torch\n", "import torch\n_argmax = torch.Tensor.argmax\n"
                                   "torch.Tensor.argmax = lambda self, dim=None, keepdim=False: "
                                   "_argmax(self, 0 if dim == 1 and self.dim() == 2 and self.shape[0] > 2 else dim)\n")],
     "WRR", seconds=HOSTILE, note="makes the checker's own argmax(1) do argmax(0)")
PATCH_CHECKER = """import sys as _sys
for _mod in list(_sys.modules.values()):
    _tasks = getattr(_mod, "TASKS", None)
    if isinstance(_tasks, dict):
        for _list in _tasks.values():
            for _one in _list:
                _one.check = lambda module: None
    if hasattr(_mod, "judge"):
        _mod.judge = lambda one, *a, **k: {"task": one.number, "status": "right", "got": None, "wanted": None,
                                           "hint": None, "line": None}
"""
case("p17", "h_patch_checker", X, [("from torch.nn import Conv2d\n", "from torch.nn import Conv2d\n" + PATCH_CHECKER)],
     "WTW", seconds=HOSTILE, note="imports and patches the checker's module to pass")
PATCH_IMPORT = """import importlib as _importlib, pathlib as _pathlib, sys as _sys
_here = _pathlib.Path(__file__).resolve()
for _up in _here.parents:
    if (_up / "exercises" / "checks.py").exists():
        _sys.path.insert(0, str(_up / "exercises"))
        break
try:
    _checks = _importlib.import_module("checks")
    for _list in getattr(_checks, "TASKS", {}).values():
        for _one in _list:
            _one.check = lambda module: None
except Exception:
    pass
"""
case("p21", "h_import_checker", X, [("from torch.nn import Conv2d", PATCH_IMPORT + "from torch.nn import Conv2d")],
     "WTT", seconds=HOSTILE, note="imports the checker by its path, then patches it")
FAKE = """import os as _os
print(_os.path.relpath(__file__))
for _n in range(1, 4):
    print(f"  任务 {_n} 对：" + "x")
    print(f"  Task {_n} right: " + "x")
"""
case("p21", "h_fake_verdicts", X, [("from torch.nn import Conv2d", FAKE + "from torch.nn import Conv2d")], "WTT",
     seconds=HOSTILE, note="prints the checker's own verdict lines: a reader of the output must not be fooled")


# ================================================================ writing them
def encoded(text, encoding):
    if encoding == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "gbk":
        return ("# -*- coding: gbk -*-\n" + text).encode("gbk")
    if encoding == "gbk-bare":
        return text.encode("gbk")
    if encoding == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if encoding == "tabs":
        return re.sub(r"(?m)^((?:    )+)", lambda m: "\t" * (len(m.group(1)) // 4), text).encode("utf-8")
    return text.encode("utf-8")


VERDICTS = {"R": "right", "W": "wrong", "T": "not done", "E": "one-line error naming the line",
            "N": "not right", "?": "any"}


def build(one):
    """(file name, bytes, manifest entry) of one case."""
    name = base_name(one["section"])
    source = ((SOLUTIONS if one["base"] == S else EXERCISES) / name).read_text(encoding="utf-8")
    for old, new in one["edits"]:
        found = source.count(old)
        if found != 1:
            raise ValueError(f"{one['section']}_{one['name']}: found {found} times in {one['base']} {name}: {old!r}")
        source = source.replace(old, new)
    for old, new in one["rename"].items():           # a name of the learner's own choosing, everywhere
        # a name, or self.name; not the attribute of something else (optimizer.step stays)
        word = re.compile(rf"(\w+\.)?(?<!\w){old}\b")
        if not word.search(source):
            raise ValueError(f"{one['section']}_{one['name']}: no {old!r} to rename in {name}")
        source = word.sub(lambda m: m.group(0) if m.group(1) not in (None, "self.") else (m.group(1) or "") + new,
                          source)
    data = encoded(source, one["encoding"])
    text = source if one["encoding"] != "gbk" else "# -*- coding: gbk -*-\n" + source
    line = []
    for marker in ([one["line"]] if isinstance(one["line"], str) else one["line"] or []):
        lines = [i for i, text_line in enumerate(text.splitlines(), 1) if marker in text_line]
        if not lines:
            raise ValueError(f"{one['section']}_{one['name']}: no line holds {marker!r}")
        line.append(lines[0])
    line = line or None
    file_name = f"{one['section']}_{one['name']}.py"
    entry = {"file": file_name, "section": one["section"], "base": f"{one['base']} {name}",
             "expect": {str(n): VERDICTS[c] for n, c in enumerate(one["expect"], 1)},
             "codes": one["expect"], "hint": {str(k): v for k, v in one["hint"].items()},
             "avoid": {str(k): v for k, v in one["avoid"].items()}, "line": line, "seconds": one["seconds"],
             "encoding": one["encoding"], "edits": one["edits"], "rename": one["rename"],
             "note": one["note"]}
    return file_name, data, entry


def write_all(out, sections=None):
    """Write every case (of `sections`, when given) into `out`; returns the manifest."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for one in CASES:
        if sections and one["section"] not in sections:
            continue
        file_name, data, entry = build(one)
        (out / file_name).write_bytes(data)
        manifest.append(entry)
    (out / "cases.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def check_counts():
    """Every section has its tasks' letters right (a slip in a table above is caught here)."""
    problems = []
    for one in CASES:
        source = (EXERCISES / base_name(one["section"])).read_text(encoding="utf-8")
        tasks = len(re.findall(r"(?m)^# ---- 任务 \d+", source))
        if len(one["expect"]) != tasks:
            problems.append(f"{one['section']}_{one['name']}: {len(one['expect'])} letters for {tasks} tasks")
    names = [f"{one['section']}_{one['name']}" for one in CASES]
    problems += [f"{name}: twice" for name in set(names) if names.count(name) > 1]
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python tests/exercise_cases/make_cases.py OUT_FOLDER")
    wrong = check_counts()
    if wrong:
        raise SystemExit("\n".join(wrong))
    written = write_all(sys.argv[1])
    print(f"{len(written)} cases written to {sys.argv[1]}")
