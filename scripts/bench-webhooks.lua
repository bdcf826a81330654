-- Each request a new Telegram update_id, so every request is a new inbound (no dedup).
local counter = 0
local thread_id = 0
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end
function init(args)
  counter = id * 100000000
end
request = function()
  counter = counter + 1
  local body = string.format('{"update_id":%d,"message":{"message_id":%d,"from":{"id":4242,"is_bot":false,"first_name":"Load"},"chat":{"id":4242,"type":"private","first_name":"Load"},"date":1764000000,"text":"hola"}}', counter, counter)
  return wrk.format("POST", "/webhooks/telegram", {["Content-Type"]="application/json", ["X-Telegram-Bot-Api-Secret-Token"]="s3cret"}, body)
end
