# Deadlines on the board's millisecond tick, which wraps: compared with ticks_diff, never with < on raw values.
import time


def now():
    return time.ticks_ms()


def after(ms):
    return time.ticks_add(time.ticks_ms(), int(ms))


def passed(deadline):
    return time.ticks_diff(deadline, time.ticks_ms()) <= 0


def left_ms(deadline):
    return max(0, time.ticks_diff(deadline, time.ticks_ms()))


def since_ms(start):
    return time.ticks_diff(time.ticks_ms(), start)
