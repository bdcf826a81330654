-- Conversation memory for the LLM brain: every message of a chat with the bot, in the
-- OpenAI chat format (user text, assistant text or tool calls, tool results), so a
-- follow-up question can be answered with the recent turns.
create table conversation_turns (
    id              bigserial primary key,
    conversation_id bigint not null references conversations(id) on delete cascade,
    role            text not null check (role in ('user', 'assistant', 'tool')),
    -- The whole message as sent to the model, tool_calls and tool_call_id included.
    content         jsonb not null,
    -- Estimated size in tokens, so loading the recent turns under a budget is one query.
    tokens          integer not null check (tokens >= 0),
    created_at      timestamptz not null default now()
);

create index conversation_turns_conversation on conversation_turns (conversation_id, id);

-- When staff last started over (`/nuevo`); the turns before it are deleted.
alter table conversations add column reset_at timestamptz;
