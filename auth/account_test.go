package auth

import "testing"

func TestAccountNames(t *testing.T) {
	for _, tc := range []struct {
		acct        Account
		long, short string
	}{
		{Account{ID: "wizzler", DisplayName: "Wizz Ler"}, "Wizz Ler (wizzler)", "Wizz Ler"},
		{Account{ID: "wizzler", DisplayName: "wizzler"}, "wizzler", "wizzler"},
		{Account{ID: "wizzler"}, "wizzler", "wizzler"},
	} {
		if got := tc.acct.String(); got != tc.long {
			t.Errorf("%#v.String() = %q, want %q", tc.acct, got, tc.long)
		}
		if got := tc.acct.ShortName(); got != tc.short {
			t.Errorf("%#v.ShortName() = %q, want %q", tc.acct, got, tc.short)
		}
	}
}
