"""Send requests to an axon with aiohttp, the HTTP client of Python's dendrite.

Used by TestIntegrationPythonAiohttpClient (axon/aiohttp_integration_test.go).
Reads {"requests": [{"url", "headers": [[name, value], ...], "json", "stream"}]}
on stdin and prints one JSON object per request, in order:
{"status", "headers": [[name, value], ...], "body", "chunks"} or {"error"}.

As bittensor's Dendrite.call does: session.post(url, headers=..., json=...,
timeout=ClientTimeout(total=...)); a streaming call reads
response.content.iter_any() as Dendrite.call_stream does.
"""
import asyncio
import json
import sys

import aiohttp


async def send(session, req):
    try:
        async with session.post(
            url=req["url"],
            headers=[(k, v) for k, v in req["headers"]],
            json=req["json"],
            timeout=aiohttp.ClientTimeout(total=20),
        ) as resp:
            out = {"status": resp.status, "headers": [[k, v] for k, v in resp.raw_headers_decoded()]} \
                if hasattr(resp, "raw_headers_decoded") else \
                {"status": resp.status, "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in resp.raw_headers]}
            if req.get("stream"):
                chunks = []
                async for chunk in resp.content.iter_any():
                    chunks.append(chunk.decode("utf-8"))
                out["chunks"] = chunks
                out["body"] = "".join(chunks)
            else:
                out["body"] = (await resp.read()).decode("utf-8")
            return out
    except Exception as e:  # reported to the Go test, which decides
        return {"error": f"{type(e).__name__}: {e}"}


async def main():
    reqs = json.load(sys.stdin)["requests"]
    async with aiohttp.ClientSession() as session:
        results = [await send(session, r) for r in reqs]
    json.dump(results, sys.stdout)


asyncio.run(main())
