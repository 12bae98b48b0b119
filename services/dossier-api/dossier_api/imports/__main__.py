"""``python -m dossier_api.imports FILE``: see :mod:`dossier_api.imports.cli`."""

import sys

from dossier_api.imports.cli import main

if __name__ == "__main__":
    sys.exit(main())
