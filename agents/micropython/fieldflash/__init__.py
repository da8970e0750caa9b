# FieldFlash agent for MicroPython: updates this board over the LAN (docs/protocol.md).
# The application calls confirm() once it is healthy after an update; see agent.py.
from fieldflash.agent import Agent, confirm, current

__all__ = ('Agent', 'confirm', 'current')
