# The socket loop of a real board: MicroPython's asyncio.start_server hands each connection's streams to the agent.
# In the Node bridge this module is replaced by bridge_loop.py; nothing else differs.
import asyncio


async def serve_forever(agent, host='0.0.0.0', port=8070):
    server = await asyncio.start_server(agent.serve, host, port, backlog=agent.config.max_connections)
    agent.log('listening on %s:%d' % (host, port))
    await server.wait_closed()
