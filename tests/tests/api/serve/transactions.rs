//! No database transaction or row lock is held while the bot waits on the network: the
//! model thinking for seconds must not pin a connection "idle in transaction" or keep the
//! inbox row locked.

use fakes::openai::FakeOpenAi;

use super::*;

#[tokio::test]
async fn no_transaction_is_open_while_the_model_thinks() {
    // Arrange: a model that takes two seconds to answer.
    let model = FakeOpenAi::start().await;
    let options = Options {
        llm: Some(model.base_url()),
        ..Options::default()
    };
    let app = ServeApp::start_with(options).await;
    app.link_telegram_staff().await;
    model.reply_text_after(Duration::from_secs(2), "Todo en orden en la clínica.");
    // Act
    let update = p::telegram_text_update(2, TG_STAFF, "¿Cómo va todo hoy?");
    assert_eq!(app.post_telegram(&update).await, 200);
    eventually("the question to reach the model", || {
        std::future::ready((!model.bodies().is_empty()).then_some(()))
    })
    .await;
    // Assert: while the model is thinking, nothing of ours is idle in a transaction or
    // holds a lock on the inbox.
    let idle = app
        .scalar_i64(
            "select count(*) from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid()
                and state like 'idle in transaction%'",
        )
        .await;
    let inbox_locks = app
        .scalar_i64(
            "select count(*) from pg_locks l join pg_database d on d.oid = l.database
              where d.datname = current_database() and l.pid <> pg_backend_pid()
                and l.relation = 'inbox'::regclass",
        )
        .await;
    assert_eq!((idle, inbox_locks), (0, 0));
    app.telegram_message("Todo en orden en la clínica.").await;
}
