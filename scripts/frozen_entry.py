"""The frozen app's entry (build_installer.spec): the desktop app, or one of its short-lived child
processes (``tracker.children``), which a frozen executable starts as itself with a flag."""

import sys

from tracker import children

if __name__ == "__main__" and not children.run_if_asked(sys.argv):
    from ui.app import main

    sys.exit(main())
