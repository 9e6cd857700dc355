"""numpy over msgpack as openpi's protocol writes it, for the Python test peers: arrays as maps with the bytes keys
__ndarray__, data (raw C-order bytes), dtype (numpy's dtype string) and shape; scalars as __npgeneric__, data, dtype."""
import msgpack
import numpy as np


def pack_default(obj):
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj


def unpack_hook(obj):
    if b"__ndarray__" in obj:
        return np.ndarray(buffer=obj[b"data"], dtype=np.dtype(obj[b"dtype"]), shape=obj[b"shape"])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj


def pack(message):
    return msgpack.packb(message, default=pack_default, use_bin_type=True)


def unpack(frame):
    return msgpack.unpackb(frame, object_hook=unpack_hook, raw=False)
