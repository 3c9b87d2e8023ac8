import sys

from samling.local.cli import main

sys.exit(main())
