"""不是课程内容：每一课共用的支持代码（参数、数据、TensorBoard、文件与报错、图片、训练、翻译）。

Not a lesson: the support code every lesson shares, one module per job:

    flags.py     命令行参数、设备、随机种子          flags, device, seed
    data.py      CIFAR10：下载（断点续传）、离线替代集  CIFAR10: resumable download, offline stand-in
    board.py     TensorBoard 文件夹与查看命令          TensorBoard folders and the command to view them
    files.py     完整写入的文件、一行说清的错误        files written whole, one-line errors
    pictures.py  P6-P12 的图片文件夹                   picture folders of P6-P12
    training.py  我们在课程之外加的训练手段            our additions to the course's training
    i18n.py      中文 / English                        Chinese / English
"""
