import { Box, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { eventStream } from "../live/eventStream";
import { useEventStream } from "../live/hooks";
import type { ConnectionState } from "../live/types";
import { useMeta } from "./meta";
import { formatInstant } from "./time";

const COLOR: Record<ConnectionState, string> = {
  open: "var(--mantine-color-green-6)",
  connecting: "var(--mantine-color-yellow-5)",
  closed: "var(--mantine-color-red-6)",
};

/** Header badge for the live event stream; click while offline to retry at once. */
export function ConnectionIndicator() {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const { state, lastMessageAt } = useEventStream();
  const label = t(`live.state.${state}` as const);
  const last =
    lastMessageAt === null
      ? t("live.noMessages")
      : t("live.lastMessage", { time: formatInstant(lastMessageAt, { timeZone }) });

  return (
    <Tooltip
      multiline
      w={240}
      label={
        <>
          <div>
            {t("live.title")}: {label}
          </div>
          <div>{last}</div>
          {state === "closed" && <div>{t("live.reconnect")}</div>}
        </>
      }
    >
      <UnstyledButton
        data-testid="conn-indicator"
        data-state={state}
        className="conn-indicator"
        aria-label={`${t("live.title")}: ${label}. ${last}`}
        onClick={() => eventStream.reconnectNow()}
      >
        <Box component="span" className="conn-dot" data-state={state} style={{ backgroundColor: COLOR[state] }} />
        <Text component="span" size="xs" fw={500} aria-live="polite">
          {label}
        </Text>
      </UnstyledButton>
    </Tooltip>
  );
}
