"""命令行参数：每课共用的几个参数、参数的类型检查、设备和随机种子。

Flags. `lesson_parser()` makes a lesson's parser with only the shared flags
that lesson reads (each is asked for by name); the lesson adds its own.
`parse_args()` parses them, prints the lesson's title, seeds the random
generators and turns --device into the torch.device the lesson uses.
A bad flag is one line, with a pointer to --help; `--help` and every
message of argparse's own are in the chosen language (--lang).
"""
import argparse
import random
import sys
from pathlib import Path

import torch

from support import i18n
from support.files import DATA_ROOT, LOGS_ROOT, LessonError
from support.i18n import _


# ---------------------------------------------------------------- flag types
def _parse(kind, text, what):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("应该是{what}，收到的是 {text!r}").format(what=what, text=text)) from None


def positive_int(text):
    value = _parse(int, text, _("一个整数"))
    if value <= 0:
        raise argparse.ArgumentTypeError(_("至少是 1，收到的是 {text}").format(text=text))
    return value


def non_negative_int(text):
    value = _parse(int, text, _("一个整数"))
    if value < 0:
        raise argparse.ArgumentTypeError(_("应该是 0 或更大，收到的是 {text}").format(text=text))
    return value


def seed_value(text):
    value = non_negative_int(text)
    if value >= 2 ** 63:
        raise argparse.ArgumentTypeError(_("要小于 2**63，收到的是 {text}").format(text=text))
    return value


def positive_float(text):
    value = _parse(float, text, _("一个数"))
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(_("应该是大于 0 的数，收到的是 {text}").format(text=text))
    return value


def non_negative_float(text):
    value = _parse(float, text, _("一个数"))
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(_("应该是 0 或更大，收到的是 {text}").format(text=text))
    return value


def batch_limit(text):
    """How many batches to log: a positive number, or 'all' as the course does."""
    if text.strip().lower() == "all":
        return None
    return positive_int(text)


# ---------------------------------------------------------------- the parser
class TranslatedHelp(argparse.RawDescriptionHelpFormatter):
    """--help in the chosen language: each flag's help (written in Chinese) is
    looked up in the catalogue when the help is shown."""

    def _get_help_string(self, action):
        return i18n.translate(action.help) if action.help else action.help


def lesson_parser(lesson_file, doc, *, device=False, data=False, logs=False, batch_size=None,
                  log_batches=False, num_workers=False):
    """A lesson's parser with the shared flags it reads: --lang and --seed always;
    --device, the data flags (--data-root, --tiny, --cifar-url), --logdir,
    --batch-size, --log-batches and --num-workers only when asked for.

    `doc` is the lesson's module docstring: its text (in the chosen language) becomes `--help`.
    """
    name = Path(lesson_file).stem
    parser = LessonParser(prog=f"python lessons/{name}.py", description=doc, formatter_class=TranslatedHelp,
                          add_help=False)
    # argparse's own -h would take its help text in the language of the moment the parser is made
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示这段帮助然后退出")
    parser.set_defaults(lesson=name, title=doc.strip().splitlines()[0])
    parser.add_argument("--lang", type=str.lower, choices=i18n.LANGUAGES, default=None,
                        help="说明和提示用的语言：zh 中文，en English（默认：看环境变量 LANGUAGE/LC_ALL/LC_MESSAGES/LANG，"
                             "以 en 开头就用英文，否则中文）")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="随机种子：同样的种子，两次运行打印同样的数（默认：0）")
    if device:
        parser.add_argument("--device", type=str.lower, choices=["auto", "cpu", "cuda", "mps"], default="auto",
                            help="张量放在哪个设备上：auto 有 CUDA 显卡就用显卡，其次是苹果的 MPS，"
                                 "都没有就用 CPU（默认：auto）")
    if data:
        parser.add_argument("--data-root", type=Path, default=DATA_ROOT,
                            help="放 cifar-10-batches-py 的文件夹（或者要下载到的地方）（默认：%(default)s）")
        parser.add_argument("--tiny", action="store_true",
                            help="不用 CIFAR10，改用项目自己生成的小替代集（不用下载，每类几张图）")
        parser.add_argument("--cifar-url", metavar="URL", default=None,
                            help="从哪里下载 CIFAR10 压缩包：cifar-10-python.tar.gz 的镜像地址"
                                 "（默认：环境变量 CIFAR10_URL，没有就用官方地址）")
    if batch_size is not None:
        parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                            help="每批多少张图片（batch_size）（默认：%(default)s）")
    if logs:
        parser.add_argument("--logdir", type=Path, default=LOGS_ROOT / name,
                            help="本课的 TensorBoard 文件夹（默认：%(default)s）")
    if num_workers:
        # one flag for every lesson with a DataLoader: a dead worker's one line (files.run) names it
        parser.add_argument("--num-workers", type=non_negative_int, default=0,
                            help="DataLoader 用几个子进程读数据（默认：0，主进程自己读，和视频一样；"
                                 "Windows 上每个子进程都要重新载入 PyTorch，启动慢）")
    if log_batches:
        parser.add_argument("--log-batches", type=batch_limit, default=4, metavar="N|all",
                            help="往 TensorBoard 写多少批；all 像视频一样每一批都写（默认：4）")
    return parser


class LessonParser(argparse.ArgumentParser):
    """argparse, with three differences: the language is chosen before
    anything is said; a bad flag is one line; and main() called with no
    argument from Jupyter or the Python console reads no flags at all,
    instead of the kernel's own command line (`-f .../kernel-1234.json`)."""

    def error(self, message):
        """A bad flag: one line, not the whole usage block (--help shows that)."""
        self.exit(2, _("{prog}：错误：{message}（用 --help 查看所有选项）").format(prog=self.prog, message=message) + "\n")

    def parse_known_args(self, args=None, namespace=None):
        if args is None:
            args = command_line_flags(self.get_default("lesson"))
        i18n.choose_language(args)
        return super().parse_known_args(args, namespace)

    def format_help(self):
        """The help in the language chosen now: the docstring's part for it, and
        argparse's group titles ("options") said again, since they were
        translated when the parser was made."""
        description, titles = self.description, [group.title for group in self._action_groups]
        self.description = i18n.in_language(description)
        for group in self._action_groups:
            group.title = i18n.argparse_words(group.title)
        try:
            return super().format_help()
        finally:
            self.description = description
            for group, title in zip(self._action_groups, titles):
                group.title = title


def command_line_flags(lesson):
    """sys.argv[1:] when this lesson is the script Python was started with, else []."""
    started_as = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return sys.argv[1:] if started_as == lesson else []


def parse_args(parser, argv=None, preset=None):
    """Parse flags, print the lesson's title, seed every generator, and turn
    --device into a torch.device. `preset` holds the defaults that --video
    sets (the video's settings); a flag given beside it still wins."""
    if preset is not None and parser.parse_args(argv).video:
        parser.set_defaults(**preset)
    args = parser.parse_args(argv)
    print(args.title)
    seed_everything(args.seed)
    if hasattr(args, "device"):
        try:
            args.device = pick_device(args.device)
        except LessonError as error:
            parser.error(str(error))
    return args


def video_differences(args, preset, describe=None):
    """'ours（视频中: the video's）' for each setting of `preset` this run does differently.
    `describe` turns a setting's value into words; by default 'key=value'."""
    describe = describe or {}

    def say(key, value):
        return describe[key](value) if key in describe else f"{key}={value}"

    return [_("{ours}（视频中: {video}）").format(ours=say(key, getattr(args, key)), video=say(key, value))
            for key, value in preset.items()
            if getattr(args, key) is not None and getattr(args, key) != value]


def seed_everything(seed):
    random.seed(seed)
    torch.manual_seed(seed)


# ---------------------------------------------------------------- the device
_said_cpu_fallback = False


def mps_available():
    mps = getattr(torch.backends, "mps", None)
    return bool(mps and mps.is_available())


def pick_device(choice):
    """'cpu', 'cuda', 'mps' or 'auto' (CUDA, else Apple's MPS, else the CPU, said once)."""
    global _said_cpu_fallback
    if choice == "cpu":
        return torch.device("cpu")
    if choice in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    if choice in ("auto", "mps") and mps_available():
        return torch.device("mps")
    if choice == "cuda":
        raise LessonError(_("--device cuda：这个 PyTorch 找不到 CUDA 显卡（torch {version}，CUDA 版：{cuda}）；"
                            "用 --device cpu，或者在有 NVIDIA 显卡的机器上装 CUDA 版的 PyTorch").format(
            version=torch.__version__, cuda=torch.version.cuda or _("不是")))
    if choice == "mps":
        raise LessonError(_("--device mps：这个 PyTorch 找不到苹果的 GPU（MPS 要苹果芯片的 Mac 和 macOS 12.3 以上）；"
                            "用 --device cpu"))
    if not _said_cpu_fallback:
        print(_("设备：cpu（没有找到 CUDA 显卡或苹果 GPU（MPS），--device auto 就用 CPU）"))
        _said_cpu_fallback = True
    return torch.device("cpu")
