"""(deploy: being built)"""


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    raise NotImplementedError("deploy")
