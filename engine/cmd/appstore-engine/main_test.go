package main

import "testing"

func TestListenAddressMustBeLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:44134": true,
		"[::1]:44134":     true,
		"localhost:0":     true,
		"0.0.0.0:44134":   false,
		":44134":          false,
		"10.0.0.1:44134":  false,
		"example.org:1":   false,
		"no-port":         false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("%s: err = %v", addr, err)
		}
	}
}

func TestFlagsHaveNonThrottlingDefaults(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.qps < 100 || o.burst < 100 || o.listen != "127.0.0.1:44134" || o.historyMax != 20 {
		t.Errorf("defaults = %+v", o)
	}
	for _, bad := range [][]string{{"-log-level", "loud"}, {"-history-max", "-1"}, {"-kube-qps", "0"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}

func TestTheTenancyCheckIsOnUnlessSwitchedOffForTests(t *testing.T) {
	if o, _ := parseFlags(nil); o.skipTenancyCheck {
		t.Error("the tenancy check is off by default")
	}
	if o, err := parseFlags([]string{"-unsafe-skip-tenancy-check"}); err != nil || !o.skipTenancyCheck {
		t.Errorf("o = %+v, err = %v", o, err)
	}
}

func TestImpersonatedServiceAccountMustBeAValidName(t *testing.T) {
	o, err := parseFlags([]string{"-impersonate-serviceaccount=appstore-deployer"})
	if err != nil || o.impersonate != "appstore-deployer" {
		t.Fatalf("o = %+v, err = %v", o, err)
	}
	if _, err := parseFlags([]string{"-impersonate-serviceaccount=Not:Valid"}); err == nil {
		t.Error("an invalid ServiceAccount name was accepted")
	}
}
