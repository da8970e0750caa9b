# The board's main.py on the Node bridge: the agent, and an application that confirms a test boot once it runs.
# A real board's main.py is the same but for server.serve_forever() in place of bridge_loop.listen().
import asyncio
import json
import sys

sys.path.insert(0, '/lib')

import bridge_loop  # noqa: E402  (first: it provides os.urandom)
import fieldflash  # noqa: E402
import fieldflash.agent  # noqa: E402

settings = json.load(open('/board.json'))['agent']
agent = fieldflash.Agent(**settings)
agent.start()
bridge_loop.listen(agent)


async def application():
    await asyncio.sleep_ms(50)
    fieldflash.confirm()


fieldflash.agent.spawn(application())
