package builder

import "testing"

func ptr(s string) *string { return &s }

func TestPackResult(t *testing.T) {
	tests := []struct {
		r    Result
		code int64
		msg  *string
	}{
		{Result{Kind: Exited, Code: 0}, 0, nil},
		{Result{Kind: Exited, Code: 1}, 1, nil},
		{Result{Kind: Exited, Code: 255}, 255, nil},
		{Result{Kind: Signalled, Code: 9}, 9 << 8, nil},
		{Result{Kind: Signalled, Code: 15}, 3840, nil},
		{Result{Kind: Signalled, Code: -7}, -1792, nil},
		{Result{Kind: Signalled, Code: -11}, -2816, nil},
		{Result{Kind: Stopped, Code: 19}, 19 << 16, nil},
		{Result{Kind: Stopped, Code: -16}, -1048576, nil},
		{Result{Kind: Msg, Msg: "path already existed"}, 65536, ptr("path already existed")},
		{Result{Kind: Msg, Msg: ""}, 65536, ptr("")},
	}
	for _, tt := range tests {
		t.Run(tt.r.String(), func(t *testing.T) {
			code, msg := PackResult(tt.r)
			if code != tt.code || (msg == nil) != (tt.msg == nil) || msg != nil && *msg != *tt.msg {
				t.Fatalf("PackResult = %d, %v; want %d, %v", code, msg, tt.code, tt.msg)
			}
			if got := UnpackResult(code, msg); got != tt.r {
				t.Errorf("UnpackResult(%d) = %+v, want %+v", code, got, tt.r)
			}
		})
	}
}

func TestUnpackResult(t *testing.T) {
	tests := []struct {
		code int64
		msg  *string
		want Result
	}{
		{0, nil, Result{Kind: Exited}},
		{-1, nil, Result{Kind: Exited, Code: -1}},
		{-1792, nil, Result{Kind: Signalled, Code: -7}},
		{256, nil, Result{Kind: Signalled, Code: 1}},
		{0xFFFF, nil, Result{Kind: Signalled, Code: 0xFF}},
		{65536, nil, Result{Kind: Stopped, Code: 1}},         // the reference's reading
		{65536, ptr("boom"), Result{Kind: Msg, Msg: "boom"}}, // checked first
		{0xFFFFFF, nil, Result{Kind: Stopped, Code: 0xFF}},
		{-65536, nil, Result{Kind: Stopped, Code: -1}},
		{1 << 24, nil, Result{Kind: Msg, Msg: "invalid result code 16777216"}},
	}
	for _, tt := range tests {
		if got := UnpackResult(tt.code, tt.msg); got != tt.want {
			t.Errorf("UnpackResult(%d, %v) = %+v, want %+v", tt.code, tt.msg, got, tt.want)
		}
	}
}

func TestResultString(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Kind: Exited, Code: 0}, "exited 0"},
		{Result{Kind: Exited, Code: 2}, "exited 2"},
		{Result{Kind: Signalled, Code: -7}, "signalled SIGKILL (-7)"},
		{Result{Kind: Signalled, Code: -1}, "signalled SIGABRT (-1)"},
		{Result{Kind: Signalled, Code: -10}, "signalled SIGSEGV (-10)"},
		{Result{Kind: Signalled, Code: -11}, "signalled SIGTERM (-11)"},
		{Result{Kind: Signalled, Code: -28}, "signalled SIGXFSZ (-28)"},
		{Result{Kind: Signalled, Code: -29}, "signalled -29"},
		{Result{Kind: Signalled, Code: 15}, "signalled 15 (SIGTERM)"},
		{Result{Kind: Signalled, Code: 9}, "signalled 9 (SIGKILL)"},
		{Result{Kind: Signalled, Code: 64}, "signalled 64"},
		{Result{Kind: Signalled, Code: 0}, "signalled 0"},
		{Result{Kind: Stopped, Code: -16}, "stopped SIGSTOP (-16)"},
		{Result{Kind: Stopped, Code: 19}, "stopped 19 (SIGSTOP)"},
		{Result{Kind: Msg, Msg: "path already existed"}, "execution aborted: path already existed"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
	kinds := map[ResultKind]string{Exited: "exited", Signalled: "signalled", Stopped: "stopped", Msg: "msg", 9: "ResultKind(9)"}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("ResultKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
