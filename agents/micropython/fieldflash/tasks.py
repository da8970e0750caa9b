"""The agent's tasks: each runs on the event loop, and one that fails is logged, never left to end the loop."""

import asyncio


def _log(line):
    print('fieldflash: ' + line)


async def _guarded(coro, log):
    try:
        await coro
    except SystemExit:
        pass  # the board is resetting
    except Exception as error:  # a task that fails says so and leaves the others running
        log('task failed: %r' % (error,))


def spawn(coro, log=_log):
    """Runs a task of the agent: its failure is logged, never left to end the event loop."""
    return asyncio.create_task(_guarded(coro, log))
