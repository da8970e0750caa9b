# The esp32 module for unit tests that never touch a partition: the agent's modules import it.
class Partition:
    RUNNING = 1
    TYPE_APP = 0
