// ESLint (flat config): the recommended rules of ESLint, typescript-eslint and the React hooks plugin
// (rules-of-hooks, exhaustive-deps and the React Compiler's checks). `npm run lint` fails on any warning.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  // schema.d.ts is generated (npm run api-types); dist is the build.
  globalIgnores(["dist/", "src/api/schema.d.ts"]),
  {
    files: ["**/*.{js,mjs,ts,tsx}"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    // Node scripts and tool configs.
    files: ["scripts/**", "*.config.{js,ts}"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["public/unit-sw.js"],
    languageOptions: { globals: globals.serviceworker },
  },
]);
