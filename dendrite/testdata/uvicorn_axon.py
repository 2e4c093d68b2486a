"""A stand-in for Python's axon HTTP layer: FastAPI served by uvicorn.

Used by TestIntegrationUvicornAxon (dendrite/uvicorn_integration_test.go) to
check the dendrite's HTTP client against the server Python miners run. It does
not verify signatures (that needs sr25519 in Python); it answers as bittensor's
axon does on success: the synapse's JSON body with the forward's output, and
the synapse headers (the request's dendrite fields, the axon's status fields),
lower-case, as Synapse.to_headers() names them.

Usage: uvicorn_axon.py PORT. uvicorn's keep-alive timeout stays at its default
(5 s), after which it closes an idle connection.
"""
import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/Dummy")
async def dummy(request: Request):
    body = await request.json()
    body["dummy_output"] = body.get("dummy_input", 0) * 2
    headers = {
        k: v for k, v in request.headers.items()
        if k.startswith("bt_header_dendrite_") or k in ("name", "timeout", "computed_body_hash")
    }
    headers.update({
        "bt_header_axon_status_code": "200",
        "bt_header_axon_status_message": "Success",
        "bt_header_axon_process_time": "0.0001",
        "bt_header_axon_hotkey": request.headers.get("bt_header_axon_hotkey", ""),
    })
    return JSONResponse(content=body, headers=headers)


@app.post("/Broken")
async def broken(request: Request):
    return JSONResponse(status_code=500, content={"message": "Internal Server Error #1"},
                        headers={"bt_header_axon_status_code": "500",
                                 "bt_header_axon_status_message": "Internal Server Error #1"})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
