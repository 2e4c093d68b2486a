package rpc

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Endpoints of the public Bittensor networks, as in the Python SDK's
// bittensor/core/settings.py.
const (
	FinneyEndpoint     = "wss://entrypoint-finney.opentensor.ai:443"
	TestEndpoint       = "wss://test.finney.opentensor.ai:443"
	ArchiveEndpoint    = "wss://archive.chain.opentensor.ai:443"
	LocalEndpoint      = "ws://127.0.0.1:9944"
	LatentLiteEndpoint = "wss://lite.sub.latent.to:443"
)

// LocalEndpointEnv overrides LocalEndpoint for the "local" network, as the
// Python SDK does.
const LocalEndpointEnv = "BT_SUBTENSOR_CHAIN_ENDPOINT"

// Endpoint resolves a network name ("finney", "test", "archive", "local",
// "latent-lite"; case-insensitive) to its websocket URL. A ws:// or wss://
// URL is returned unchanged. "local" honours $BT_SUBTENSOR_CHAIN_ENDPOINT.
// Anything else, including "", is an error wrapping ErrUnknownNetwork: an
// empty or mistyped setting must not silently select mainnet.
func Endpoint(network string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(network))
	switch name {
	case "finney":
		return FinneyEndpoint, nil
	case "test":
		return TestEndpoint, nil
	case "archive":
		return ArchiveEndpoint, nil
	case "latent-lite":
		return LatentLiteEndpoint, nil
	case "local":
		if env := strings.TrimSpace(os.Getenv(LocalEndpointEnv)); env != "" {
			if isWebsocketURL(env) {
				return env, nil
			}
			return "", fmt.Errorf("%w: $%s is not a ws:// or wss:// URL", ErrUnknownNetwork, LocalEndpointEnv)
		}
		return LocalEndpoint, nil
	}
	if isWebsocketURL(network) {
		return network, nil
	}
	return "", fmt.Errorf("%w: %q (want finney, test, archive, local, latent-lite or a ws:// / wss:// URL)",
		ErrUnknownNetwork, redactURL(network))
}

func isWebsocketURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "ws" || scheme == "wss") && u.Host != ""
}

// redactURL keeps only scheme and host: endpoint URLs of hosted nodes often
// carry an API key in user info, path or query.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		if len(s) > 32 {
			return s[:32] + "…"
		}
		return s
	}
	return u.Scheme + "://" + u.Host
}
