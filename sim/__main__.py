"""`python -m sim`: the same CLI as the `sim` console script."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
