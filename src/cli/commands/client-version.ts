// The version berth's CLI reports for itself (Client: Version in `berth version`, `berth -v`).
export const CLIENT_VERSION = '0.1.0';
