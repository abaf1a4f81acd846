"""`python -m helpers.benchmark ...`: runs the command (`helpers.benchmark._command.main`)."""

from helpers.benchmark._command import main

if __name__ == "__main__":
    raise SystemExit(main())
