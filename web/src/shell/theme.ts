import { createTheme, localStorageColorSchemeManager, rem } from "@mantine/core";

/**
 * Dense control-room theme: 13 px body text, tight spacing, system fonts only
 * (no web fonts are downloaded; all of these cover Kazakh Cyrillic).
 */
export const theme = createTheme({
  primaryColor: "blue",
  defaultRadius: "sm",
  cursorType: "pointer",
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif',
  fontFamilyMonospace:
    'ui-monospace, "SF Mono", "Cascadia Mono", "Roboto Mono", "Liberation Mono", "DejaVu Sans Mono", Consolas, monospace',
  fontSizes: {
    xs: rem(11),
    sm: rem(12),
    md: rem(13),
    lg: rem(15),
    xl: rem(18),
  },
  lineHeights: {
    xs: "1.35",
    sm: "1.4",
    md: "1.45",
    lg: "1.5",
    xl: "1.55",
  },
  spacing: {
    xs: rem(4),
    sm: rem(8),
    md: rem(12),
    lg: rem(16),
    xl: rem(24),
  },
  headings: {
    fontWeight: "600",
    sizes: {
      h1: { fontSize: rem(20), lineHeight: "1.3" },
      h2: { fontSize: rem(17), lineHeight: "1.3" },
      h3: { fontSize: rem(15), lineHeight: "1.35" },
      h4: { fontSize: rem(14), lineHeight: "1.4" },
      h5: { fontSize: rem(13), lineHeight: "1.4" },
      h6: { fontSize: rem(12), lineHeight: "1.4" },
    },
  },
  components: {
    Tooltip: { defaultProps: { openDelay: 300, withArrow: true, fz: "xs" } },
    Menu: { defaultProps: { shadow: "md" } },
  },
});

export const colorSchemeManager = localStorageColorSchemeManager({ key: "qorgau.color-scheme" });
