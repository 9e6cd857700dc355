#!/usr/bin/env python3
"""An independent openpi-protocol policy server for the tests, written from the protocol's description only.

WebSocket (python3-websockets), binary msgpack frames (python3-msgpack); numpy arrays travel as maps with the
bytes keys __ndarray__, data, dtype, shape, numpy scalars as __npgeneric__, data, dtype. The server sends its
metadata map first; each request (an observation map) gets one reply map with "actions" [horizon, dims]. An
error is a text frame with the traceback, then a close with code 1011. GET /healthz answers 200. With --api-key,
a connection without "Authorization: Api-Key <key>" is refused with HTTP 401.

--mode chooses the behaviour: policy (a deterministic policy that also echoes what it received), or a fault:
error, not_msgpack, missing_actions, wrong_shape, nan, oversize, slow (--delay), drop (aborts the connection on the
request after --drop-after replies, without answering it). Prints "PORT <n>" once listening. Debian packages only: python3-websockets, -msgpack, -numpy.
"""
import argparse
import asyncio
import http
import sys
import time
import traceback

import numpy as np
import websockets

from openpi_wire import pack, unpack


def policy(obs, horizon, dims):
    """Holds the observed joints and steps 0.01 rad per step on each: a plan a test can predict exactly."""
    state = np.asarray(obs["observation/state"], dtype=np.float64)
    actions = np.zeros((horizon, dims), dtype=np.float32)
    for k in range(horizon):
        actions[k, : dims - 1] = state[: dims - 1] + 0.01 * (k + 1)
        actions[k, dims - 1] = state[dims - 1]
    image = obs["observation/image"]
    echo = {
        "image_shape": list(image.shape),
        "image_dtype": image.dtype.str,
        "image_sum": np.int64(image.astype(np.int64).sum()),
        "image_first_pixel": image.reshape(-1)[:3].astype(np.int64).tolist(),
        "state": state.astype(np.float64),
        "state_dtype": np.asarray(obs["observation/state"]).dtype.str,
        "prompt": obs["prompt"],
    }
    return {"actions": actions, "echo": echo, "policy_timing": {"infer_ms": 1.5}, "extra_key_to_ignore": [1, 2, 3]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", default="policy")
    p.add_argument("--api-key")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--drop-after", type=int, default=1)
    p.add_argument("--horizon", type=int, default=10)
    p.add_argument("--dims", type=int, default=8)
    p.add_argument("--metadata-horizon", type=int)
    args = p.parse_args()
    metadata = {"action_horizon": args.metadata_horizon or args.horizon, "action_dim": args.dims, "peer": "python"}

    async def process_request(path, headers):
        if path == "/healthz":
            return http.HTTPStatus.OK, [], b"OK\n"
        if args.api_key is not None and headers.get("Authorization") != f"Api-Key {args.api_key}":
            return http.HTTPStatus.UNAUTHORIZED, [], b"wrong or missing API key\n"
        return None

    async def handler(ws, _path=None):
        await ws.send(pack(metadata))
        replies = 0
        async for frame in ws:
            try:
                start = time.monotonic()
                obs = unpack(frame)
                if args.mode == "slow":
                    await asyncio.sleep(args.delay)
                if args.mode == "error":
                    raise RuntimeError("peer policy exploded on purpose")
                if args.mode == "not_msgpack":
                    await ws.send(b"\xc1\xc1 this is not msgpack")
                    continue
                reply = policy(obs, args.horizon, args.dims)
                if args.mode == "missing_actions":
                    del reply["actions"]
                elif args.mode == "wrong_shape":
                    reply["actions"] = reply["actions"][:-1]
                elif args.mode == "nan":
                    reply["actions"][3, 2] = np.nan
                elif args.mode == "oversize":
                    reply["padding"] = np.zeros(2 * 1024 * 1024, dtype=np.uint8)
                reply["server_timing"] = {"infer_ms": (time.monotonic() - start) * 1000}
                if args.mode == "drop" and replies >= args.drop_after:
                    # The connection dies with a request in flight: no reply, no close frame.
                    ws.transport.abort()
                    return
                await ws.send(pack(reply))
                replies += 1
            except Exception:
                await ws.send(traceback.format_exc())
                await ws.close(code=1011, reason="Internal server error. Traceback included in previous frame.")
                return

    async def run():
        async with websockets.serve(handler, "127.0.0.1", args.port, process_request=process_request, max_size=None, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            print(f"PORT {port}", flush=True)
            await asyncio.Future()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
