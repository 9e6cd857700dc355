#!/usr/bin/env python3
"""An independent openpi-protocol client for the tests (python3-websockets, -msgpack, -numpy), written from the
protocol's description: reads the metadata frame, sends one LIBERO-like observation (a 224x224x3 uint8 image, an
8-value float32 state, a prompt), and prints one JSON line: the metadata, the reply's keys, the action array's
dtype, shape and values, or the error text and close code the server sent. Also GETs /healthz."""
import argparse
import asyncio
import json
import sys
import urllib.request

import numpy as np
import websockets

from openpi_wire import pack, unpack


def jsonable(value):
    if isinstance(value, np.ndarray):
        return {"dtype": value.dtype.str, "shape": list(value.shape), "values": value.tolist()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


async def run(args):
    headers = {"Authorization": f"Api-Key {args.api_key}"} if args.api_key else {}
    out = {}
    host_port = args.url[len("ws://"):]
    with urllib.request.urlopen(f"http://{host_port}/healthz") as r:
        out["healthz"] = r.status
    async with websockets.connect(args.url, extra_headers=headers, max_size=None, compression=None) as ws:
        out["metadata"] = jsonable(unpack(await ws.recv()))
        rng = np.random.default_rng(7)
        image = rng.integers(0, 256, size=(224, 224, 3), dtype=np.uint8)
        state = np.array([0.0, -0.3, 0.0, -2.2, 0.0, 2.0, 0.8, 1.0], dtype=np.float32)
        obs = {args.image_key: image, "observation/state": state, "prompt": args.prompt}
        if args.drop_image:
            del obs[args.image_key]
        await ws.send(pack(obs))
        reply = await ws.recv()
        if isinstance(reply, str):
            out["error_text"] = reply
            try:
                await ws.recv()
            except websockets.exceptions.ConnectionClosed as closed:
                out["close_code"] = closed.code
        else:
            message = unpack(reply)
            out["keys"] = sorted(message.keys())
            out["actions"] = jsonable(message["actions"])
            out["server_timing"] = jsonable(message.get("server_timing"))
    print(json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--api-key")
    p.add_argument("--prompt", default="reach the red cube")
    p.add_argument("--image-key", default="observation/image")
    p.add_argument("--drop-image", action="store_true")
    args = p.parse_args()
    try:
        asyncio.run(run(args))
    except websockets.exceptions.InvalidStatusCode as e:
        print(json.dumps({"http_status": e.status_code}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
