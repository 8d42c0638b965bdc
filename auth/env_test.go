package auth

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFromEnv(t *testing.T) {
	cert, key := testCertificate(t)
	dir := t.TempDir()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	good := filepath.Join(dir, "cert.pem")
	_ = os.WriteFile(good, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...), 0o600)
	enc := filepath.Join(dir, "enc.pem")
	_ = os.WriteFile(enc, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})...), 0o600)

	base := map[string]string{EnvTenantID: "tenant", EnvClientID: "client"}
	tests := []struct {
		name      string
		env       map[string]string
		wantErr   error
		wantCred  string // "secret" or "cert"
		wantCloud Cloud
		wantAuth  string
	}{
		{name: "secret", env: map[string]string{EnvClientSecret: sentinelSecret}, wantCred: "secret", wantCloud: CloudGlobal},
		{name: "certificate", env: map[string]string{EnvCertificatePath: good}, wantCred: "cert", wantCloud: CloudGlobal},
		{name: "secret wins", env: map[string]string{EnvClientSecret: "s", EnvCertificatePath: good}, wantCred: "secret", wantCloud: CloudGlobal},
		{name: "encrypted key", env: map[string]string{EnvCertificatePath: enc, EnvCertificatePassword: "pw"}, wantErr: ErrEncryptedKey},
		{name: "missing cert file", env: map[string]string{EnvCertificatePath: filepath.Join(dir, "nope")}, wantErr: ErrInvalidConfig},
		{name: "no credential", env: map[string]string{}, wantErr: ErrInvalidConfig},
		{name: "china by authority", env: map[string]string{EnvClientSecret: "s", EnvAuthorityHost: "https://login.chinacloudapi.cn/"}, wantCred: "secret", wantCloud: CloudChina, wantAuth: "https://login.chinacloudapi.cn"},
		{name: "usgovl5 by name", env: map[string]string{EnvClientSecret: "s", EnvCloud: "usgovl5"}, wantCred: "secret", wantCloud: CloudUSGovL5},
		{name: "bad cloud", env: map[string]string{EnvClientSecret: "s", EnvCloud: "mars"}, wantErr: ErrInvalidConfig},
		{name: "http authority", env: map[string]string{EnvClientSecret: "s", EnvAuthorityHost: "http://login.example"}, wantErr: ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := configFromEnv(func(k string) string { return env[k] }, os.ReadFile)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), sentinelSecret) {
					t.Error("error leaks the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch cfg.Credential.(type) {
			case *clientSecret:
				if tt.wantCred != "secret" {
					t.Errorf("got a secret credential")
				}
			case *clientCertificate:
				if tt.wantCred != "cert" {
					t.Errorf("got a certificate credential")
				}
			}
			if cfg.Cloud != tt.wantCloud || cfg.AuthorityHost != tt.wantAuth {
				t.Errorf("cloud %v authority %q", cfg.Cloud, cfg.AuthorityHost)
			}
			if cfg.GraphEndpoint() != tt.wantCloud.GraphEndpoint {
				t.Errorf("GraphEndpoint = %q", cfg.GraphEndpoint())
			}
			if _, err := NewClientCredentials(cfg); err != nil {
				t.Errorf("config from env does not validate: %v", err)
			}
		})
	}
}

func TestConfigFromEnvMissing(t *testing.T) {
	t.Setenv(EnvTenantID, "")
	t.Setenv(EnvClientID, "")
	_, err := ConfigFromEnv()
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), EnvTenantID) {
		t.Fatalf("err = %v", err)
	}
}

func TestClouds(t *testing.T) {
	tests := []struct {
		name      string
		want      Cloud
		authority string
		scope     string
	}{
		{"", CloudGlobal, "https://login.microsoftonline.com", "https://graph.microsoft.com/.default"},
		{"Global", CloudGlobal, "https://login.microsoftonline.com", "https://graph.microsoft.com/.default"},
		{"usgovl4", CloudUSGovL4, "https://login.microsoftonline.us", "https://graph.microsoft.us/.default"},
		{"usgovl5", CloudUSGovL5, "https://login.microsoftonline.us", "https://dod-graph.microsoft.us/.default"},
		{"china", CloudChina, "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/.default"},
	}
	for _, tt := range tests {
		c, err := CloudByName(tt.name)
		if err != nil || c != tt.want || c.AuthorityHost != tt.authority || c.Scope() != tt.scope {
			t.Errorf("CloudByName(%q) = %+v, %v", tt.name, c, err)
		}
	}
	if _, err := CloudByName("moon"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("unknown cloud err = %v", err)
	}
}
