import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


def pytest_configure(config):
    config.addinivalue_line("markers", "images: builds and checks on every numerai_predict image of the catalogue "
                                       "(select alone with -m images)")
