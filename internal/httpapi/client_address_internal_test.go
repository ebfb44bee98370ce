package httpapi

import (
	"net/netip"
	"testing"
)

func TestForwardedClientBelievesOnlyTrustedProxies(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32"), netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name, peer string
		forwarded  []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxy trusted: the peer, whatever the header says", "198.51.100.4", []string{"203.0.113.9"}, nil, "198.51.100.4"},
		{"a peer that is not the balancer is not believed", "198.51.100.4", []string{"203.0.113.9"}, lb, "198.51.100.4"},
		{"the balancer's hop", "127.0.0.2", []string{"203.0.113.9"}, lb, "203.0.113.9"},
		{"a client's own header left of the balancer's hop is ignored", "127.0.0.2", []string{"192.0.2.1", "203.0.113.9"}, lb, "203.0.113.9"},
		{"one line with commas reads as several", "127.0.0.2", []string{"192.0.2.1, 203.0.113.9"}, lb, "203.0.113.9"},
		{"hops of trusted proxies are passed", "127.0.0.2", []string{"203.0.113.9, 10.1.2.3"}, lb, "203.0.113.9"},
		{"a hop that is no address stops at the trusted one", "127.0.0.2", []string{"203.0.113.9, unknown"}, lb, "127.0.0.2"},
		{"no header: the balancer itself", "127.0.0.2", nil, lb, "127.0.0.2"},
		{"IPv4 in IPv6 reads as IPv4", "127.0.0.2", []string{"::ffff:203.0.113.9"}, lb, "203.0.113.9"},
		{"IPv6 client", "127.0.0.2", []string{"2001:db8::1"}, lb, "2001:db8::1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := forwardedClient(c.peer, c.forwarded, c.trusted); got != c.want {
				t.Fatalf("forwardedClient(%q, %q) = %q, want %q", c.peer, c.forwarded, got, c.want)
			}
		})
	}
}
