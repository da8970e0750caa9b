# Runs the agent's unit tests inside the MicroPython interpreter (test/integration/micropython-unit.test.ts): every
# function named test_* of the modules given, each on its own; a failure is reported with its traceback, not raised.
import io
import sys


def run(modules):
    results = []
    for name in modules:
        module = __import__(name)
        for attr in sorted(dir(module)):
            if not attr.startswith('test_'):
                continue
            try:
                getattr(module, attr)()
                results.append([name + '.' + attr, None])
            except Exception as error:  # each failure is one line of the report, with its traceback
                out = io.StringIO()
                sys.print_exception(error, out)
                results.append([name + '.' + attr, out.getvalue()])
    return results
