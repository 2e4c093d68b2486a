// Package rpctest provides test doubles for the rpc package and for the
// chain client built on it: a JSON-RPC 2.0 websocket Server on 127.0.0.1
// (method table, subscriptions, fault injection), a Replay of mainnet
// traffic recorded by the Python SDK's integration tests, and a TCP Proxy
// whose connections can be cut to exercise reconnects.
package rpctest
