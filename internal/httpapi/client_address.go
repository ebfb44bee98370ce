package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientHost is the address a request comes from, for the report limit and sign-in throttling. The
// peer is the client, unless the peer is one of TrustedProxies: then X-Forwarded-For is read from
// the right, past the trusted proxies' own hops, to the first address they were handed by someone
// else. What lies further left was written by the client and could say anything.
func (s *Server) clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return forwardedClient(host, r.Header.Values("X-Forwarded-For"), s.TrustedProxies)
}

// forwardedClient is clientHost's rule over the peer's address and the X-Forwarded-For lines in the
// order received. A hop that is not an address ends the walk at the hop before it: a proxy never
// writes one, so it was not written by a trusted proxy.
func forwardedClient(peer string, forwarded []string, trusted []netip.Prefix) string {
	if !isTrusted(peer, trusted) {
		return peer
	}
	var hops []string
	for _, line := range forwarded {
		for _, h := range strings.Split(line, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return client
		}
		client = a.Unmap().String()
		if !isTrusted(client, trusted) {
			return client
		}
	}
	return client
}

func isTrusted(host string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
