# The board's main.py on the Node bridge: the agent, then the application: the source tree's entry module in /app
# when there is one, else a stand-in that confirms a test boot once it runs. A real board's main.py is the same but
# for server.serve_forever() in place of bridge_loop.listen().
import asyncio
import gc
import json
import sys

sys.path.insert(0, '/lib')

import bridge_loop  # noqa: E402  (first: it provides os.urandom)
import fieldflash  # noqa: E402
import fieldflash.agent  # noqa: E402

settings = json.load(open('/board.json'))['agent']
agent = fieldflash.Agent(**settings)
# What start() allocates, collected or not (the swap of a staged tree included): bench/micropython-heap.bench.ts.
gc.collect()
boot_heap = {'before': gc.mem_alloc()}
agent.start()
boot_heap['after'] = gc.mem_alloc()
bridge_loop.listen(agent)


async def application():
    await asyncio.sleep_ms(50)
    fieldflash.confirm()


if not agent.start_application():
    fieldflash.agent.spawn(application())
