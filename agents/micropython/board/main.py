# main.py of a board FieldFlash set up over USB: the FieldFlash agent (LAN updates), then the application, a source
# tree in /app. /fieldflash/agent.json says what the board is (product, board, version, sequence) and where the
# agent listens; /fieldflash/auth.json holds the pairing key, derived from the pairing code, never the code itself.
# A board without a network module (FieldFlash's simulated ESP32) runs the application alone, and says so.
import json
import sys

APP = '/app'
SETTINGS = '/fieldflash/agent.json'


def log(line):
    print('fieldflash: ' + line)


def join_wifi(network):
    """Joins the network /app/env.py names (WIFI_SSID, WIFI_PASSWORD), unless the board is on one already."""
    import time

    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    if wlan.isconnected():
        return
    try:
        import env

        ssid, password = env.WIFI_SSID, env.WIFI_PASSWORD
    except (ImportError, AttributeError):
        log('no Wi-Fi network to join: put WIFI_SSID and WIFI_PASSWORD in /app/env.py')
        return
    wlan.connect(ssid, password)
    for _ in range(200):
        if wlan.isconnected():
            log('joined %s as %s' % (ssid, wlan.ifconfig()[0]))
            return
        time.sleep_ms(100)
    log('could not join the Wi-Fi network %s; the agent listens once the board is on it' % ssid)


def start_agent(settings):
    try:
        import network
    except ImportError:
        log('this board has no network module, so the agent does not listen; the application runs without LAN updates')
        return None
    import asyncio

    import fieldflash
    from fieldflash.server import serve_forever

    join_wifi(network)
    agent = fieldflash.Agent(**settings['agent'])
    agent.start()  # settles the last restart: may restart the board to roll back
    asyncio.create_task(serve_forever(agent, port=settings['port']))
    return agent


settings = json.load(open(SETTINGS))
# /lib before '' (the root): there the agent's state folder /fieldflash would be imported as an empty package in place
# of the agent. The application's folder before both, so its modules win.
sys.path.insert(0, '/lib')
sys.path.insert(0, APP)
try:
    agent = start_agent(settings)
except Exception as error:  # the application still starts: a board that runs is better than one that waits
    log('the agent did not start: %r' % (error,))
    agent = None
if agent is not None:
    import asyncio

    agent.start_application()  # imports /app's entry module and watches its test boot
    asyncio.get_event_loop().run_forever()
else:
    __import__(settings.get('entry', 'main'))
