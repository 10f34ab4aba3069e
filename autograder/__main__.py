from . import startup  # noqa: F401  (first: before anything imports jsonschema)
from .cli import main  # noqa: E402

raise SystemExit(main())
