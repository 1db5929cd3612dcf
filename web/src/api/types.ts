/** Shapes of the backend's JSON bodies (see the backend contract in web/README.md). */

export interface SessionUser {
  id: string | number;
  username: string;
  display_name: string;
  role: string;
  permissions: string[];
  locale: string | null;
}

export interface Session {
  user: SessionUser;
  csrf_token: string;
}

export interface Meta {
  version: string;
  time_zone: string;
  languages: string[];
  default_language: string;
}
