/* The client's web chat (chat.html), and the helpers the advisor desk (desk.html) shares with it.
 *
 * Shared (window.PremierWeb, also loaded by desk.html before desk.js):
 *   el(tag, attrs, children)  builds DOM; text only ever goes in as textContent, never as HTML
 *   api(token, method, path, body) -> JSON, throws ApiError(status, detail) with the server's Chinese detail
 *   openEventStream(token, path, onEvent, hooks)  reads Server-Sent Events through fetch() (so the
 *       Authorization header goes with it), reconnecting with backoff; returns {close()}
 *   bankTime(iso), clock(seconds)  times in Beijing time, countdowns
 *   submitLogin(event, accepts, texts, onLogin), showLoginError(text)  both pages' login form
 *
 * The chat: login (client id + passcode, or a token) -> POST /api/login; the token is kept in
 * sessionStorage (this tab only). Messages -> POST /api/chat/messages; live agent replies and the
 * handoff state -> GET /api/chat/stream. The bubbles shown are kept in sessionStorage so a reload
 * keeps the bot-phase conversation (the server's history holds only the open handoff's messages).
 */
"use strict";

(function () {
  // ------------------------------------------------------------------ shared helpers
  class ApiError extends Error {
    constructor(status, detail) {
      super(detail || "HTTP " + status);
      this.status = status; // 0: the network failed
      this.detail = detail; // the server's Chinese message for the page, or null
    }
  }

  /** An element with attributes and children; strings become text nodes (never parsed as HTML). */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "className") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(token, method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    let response;
    try {
      response = await fetch(path, {
        method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, null);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      const detail = data && typeof data.detail === "string" ? data.detail : null;
      throw new ApiError(response.status, detail);
    }
    return data;
  }

  /** Feeds the events of a text/event-stream body to onEvent(name, data); resolves when it ends. */
  async function readEvents(body, onEvent) {
    const reader = body.getReader();
    const decoder = new TextDecoder("utf-8");
    let buffer = "";
    let name = "";
    let data = [];
    const dispatch = () => {
      if (data.length) onEvent(name || "message", data.join("\n"));
      name = "";
      data = [];
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop(); // an incomplete last line waits for more bytes
      for (const line of lines) {
        if (line === "") dispatch();
        else if (line.startsWith(":")) continue; // a comment: the heartbeat
        else {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (field === "event") name = value;
          else if (field === "data") data.push(value);
        }
      }
    }
  }

  /**
   * Reads an SSE endpoint with the Authorization header, reconnecting with backoff (1 s doubling to
   * 30 s, with jitter). hooks: onOpen(reconnected), onDown(), onUnauthorized(). Events' data is
   * parsed as JSON (events that are not JSON are skipped).
   */
  function openEventStream(token, path, onEvent, hooks) {
    const controller = new AbortController();
    let closed = false;
    let opened = false;
    const run = async () => {
      let delay = 1000;
      while (!closed) {
        try {
          const response = await fetch(path, {
            headers: { Authorization: "Bearer " + token, Accept: "text/event-stream" },
            cache: "no-store", signal: controller.signal,
          });
          if (response.status === 401) {
            closed = true;
            if (hooks.onUnauthorized) hooks.onUnauthorized();
            return;
          }
          if (!response.ok || !response.body) throw new Error("stream answered " + response.status);
          delay = 1000;
          if (hooks.onOpen) hooks.onOpen(opened);
          opened = true;
          await readEvents(response.body, (name, raw) => {
            let data;
            try {
              data = JSON.parse(raw);
            } catch (error) {
              return;
            }
            onEvent(name, data);
          });
        } catch (error) {
          if (closed) return;
        }
        if (closed) return;
        if (hooks.onDown) hooks.onDown();
        await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * 500));
        delay = Math.min(delay * 2, 30000);
      }
    };
    run();
    return {
      close() {
        closed = true;
        controller.abort();
      },
    };
  }

  const BANK_ZONE = "Asia/Shanghai";
  const dayKey = new Intl.DateTimeFormat("en-CA", { timeZone: BANK_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
  const hourMinute = new Intl.DateTimeFormat("zh-CN", { timeZone: BANK_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const monthDay = new Intl.DateTimeFormat("zh-CN", { timeZone: BANK_ZONE, month: "numeric", day: "numeric" });

  /** "14:05" today, "12月3日 09:00" another day (Beijing time); "" for a missing or bad time. */
  function bankTime(iso) {
    if (!iso) return "";
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return "";
    const time = hourMinute.format(moment);
    return dayKey.format(moment) === dayKey.format(new Date()) ? time : monthDay.format(moment) + " " + time;
  }

  /** 125 -> "2:05", 3725 -> "1:02:05" (absolute value: the caller says whether it is overdue). */
  function clock(seconds) {
    const total = Math.abs(Math.trunc(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  }

  /** A message from the server, with every field of the right type. */
  function normaliseMessage(raw) {
    const message = raw && typeof raw === "object" ? raw : {};
    const from = ["client", "bot", "agent", "system"].includes(message.from) ? message.from : "bot";
    const buttons = Array.isArray(message.buttons) ? message.buttons : [];
    return {
      id: message.id === undefined || message.id === null ? null : String(message.id),
      from,
      text: typeof message.text === "string" ? message.text : "",
      buttons: buttons
        .filter((button) => button && typeof button.title === "string")
        .map((button) => ({ title: button.title, payload: typeof button.payload === "string" ? button.payload : button.title })),
      at: typeof message.at === "string" ? message.at : new Date().toISOString(),
      sender_name: typeof message.sender_name === "string" ? message.sender_name : null,
    };
  }

  const isRating = (button) => button.payload.startsWith("/rate_service");

  /** Both pages' login form error line (element ``login-error``); empty text hides it. */
  function showLoginError(text) {
    const box = document.getElementById("login-error");
    box.textContent = text;
    box.hidden = !text;
  }

  /** Both pages' login form: a pasted token, or an id and passcode, posted to /api/login.
   *  ``accepts(answer)``: whether this page serves the answer's role; ``texts``: the page's
   *  {missing, wrongRole, failed, unavailable} lines; ``onLogin(answer)`` once logged in. */
  async function submitLogin(event, accepts, texts, onLogin) {
    event.preventDefault();
    const field = (id) => document.getElementById(id);
    const userId = field("login-user").value.trim().toUpperCase();
    const passcode = field("login-passcode").value;
    const token = field("login-token").value.trim();
    let body;
    if (token) body = { token };
    else if (userId && passcode) body = { user_id: userId, passcode };
    else return showLoginError(texts.missing);
    const submit = document.querySelector("[data-testid=login-submit]");
    submit.disabled = true;
    showLoginError("");
    try {
      const answer = await api(null, "POST", "/api/login", body);
      if (!accepts(answer)) return showLoginError(texts.wrongRole);
      field("login-passcode").value = "";
      field("login-token").value = "";
      onLogin(answer);
    } catch (error) {
      if (error.status === 400 || error.status === 401 || error.status === 403) showLoginError(error.detail || texts.failed);
      else showLoginError(error.detail || texts.unavailable);
    } finally {
      submit.disabled = false;
    }
  }

  window.PremierWeb = {
    ApiError, el, api, readEvents, openEventStream, bankTime, clock, normaliseMessage, isRating, showLoginError, submitLogin,
  };

  // ------------------------------------------------------------------ the chat page
  if (!document.getElementById("chat-view")) return; // desk.html loads the helpers only

  const LABELS = {
    hans: {
      pageTitle: "贵宾智能助理",
      loginTitle: "登录后开始对话",
      loginHint: "请输入客户号和登录密码。",
      clientId: "客户号",
      passcode: "登录密码",
      useToken: "使用登录令牌",
      token: "登录令牌",
      login: "登录",
      demoNote: "演示环境：客户号 C000001 至 C000008。",
      logout: "退出",
      inputLabel: "输入消息",
      inputPlaceholder: "请输入您的问题",
      send: "发送",
      toggle: "繁",
      loginMissing: "请输入客户号和登录密码，或粘贴登录令牌。",
      loginFailed: "登录失败，请检查客户号和密码。",
      loginUnavailable: "登录服务暂时不可用，请稍后再试。",
      notClient: "此页面供客户使用，客户经理和坐席请前往工作台（/desk）。",
      sessionExpired: "登录已过期，请重新登录。",
      welcome: "您好，{name}！我是您的贵宾智能助理，可以帮您查询账户和理财、预约客户经理、办理挂失和投诉，也可以随时为您转人工。",
      waiting: "等待人工服务：{name}将于{time}前回复您",
      waitingNoTime: "等待人工服务：{name}将尽快回复您",
      takenAdvisor: "客户经理{name}已加入",
      takenAgent: "服务专员{name}已加入",
      agent: "人工服务",
      sendFailed: "抱歉，消息没有发送成功，请检查网络后再试。",
      badRequest: "抱歉，这条消息无法发送，请修改后再试。",
      unavailable: "抱歉，智能助理暂时无法回复，请稍后再试。",
      tooLong: "消息太长了，请分几次发送（每条不超过2000字）。",
      reconnecting: "连接中断，正在重新连接…",
      notDelivered: "未送达",
    },
    hant: {
      pageTitle: "貴賓智能助理",
      loginTitle: "登錄後開始對話",
      loginHint: "請輸入客戶號和登錄密碼。",
      clientId: "客戶號",
      passcode: "登錄密碼",
      useToken: "使用登錄令牌",
      token: "登錄令牌",
      login: "登錄",
      demoNote: "演示環境：客戶號 C000001 至 C000008。",
      logout: "退出",
      inputLabel: "輸入訊息",
      inputPlaceholder: "請輸入您的問題",
      send: "發送",
      toggle: "简",
      loginMissing: "請輸入客戶號和登錄密碼，或貼上登錄令牌。",
      loginFailed: "登錄失敗，請檢查客戶號和密碼。",
      loginUnavailable: "登錄服務暫時不可用，請稍後再試。",
      notClient: "此頁面供客戶使用，客戶經理和坐席請前往工作台（/desk）。",
      sessionExpired: "登錄已過期，請重新登錄。",
      welcome: "您好，{name}！我是您的貴賓智能助理，可以幫您查詢賬戶和理財、預約客戶經理、辦理掛失和投訴，也可以隨時為您轉人工。",
      waiting: "等待人工服務：{name}將於{time}前回覆您",
      waitingNoTime: "等待人工服務：{name}將盡快回覆您",
      takenAdvisor: "客戶經理{name}已加入",
      takenAgent: "服務專員{name}已加入",
      agent: "人工服務",
      sendFailed: "抱歉，訊息沒有發送成功，請檢查網絡後再試。",
      badRequest: "抱歉，這條訊息無法發送，請修改後再試。",
      unavailable: "抱歉，智能助理暫時無法回覆，請稍後再試。",
      tooLong: "訊息太長了，請分幾次發送（每條不超過2000字）。",
      reconnecting: "連接中斷，正在重新連接…",
      notDelivered: "未送達",
    },
  };
  const TOKEN_KEY = "premier.chat.token";
  const ME_KEY = "premier.chat.me";
  const LOG_KEY = "premier.chat.log";
  const SCRIPT_KEY = "premier.chat.script";
  const MAX_TEXT = 2000;
  const MAX_KEPT = 300; // bubbles kept in sessionStorage

  const $ = (id) => document.getElementById(id);
  const state = {
    script: localStorage.getItem(SCRIPT_KEY) === "hant" ? "hant" : "hans",
    token: null,
    me: null,
    log: [], // the bubbles shown: {id, from, text, buttons, at, sender_name, used, chosen, error}
    seen: new Set(),
    handoff: null,
    stream: null,
    pending: 0,
    sendChain: Promise.resolve(),
  };

  function t(key, vars) {
    let text = (LABELS[state.script] || LABELS.hans)[key] || LABELS.hans[key] || key;
    for (const [name, value] of Object.entries(vars || {})) text = text.split("{" + name + "}").join(value);
    return text;
  }

  function applyLabels() {
    document.documentElement.lang = state.script === "hant" ? "zh-Hant" : "zh-Hans";
    for (const node of document.querySelectorAll("[data-label]")) node.textContent = t(node.dataset.label);
    for (const node of document.querySelectorAll("[data-placeholder]")) node.placeholder = t(node.dataset.placeholder);
    for (const node of document.querySelectorAll(".script-toggle")) node.textContent = t("toggle");
    renderBanner();
  }

  // ---------------------------------------------------------------- login
  function login(event) {
    const texts = { missing: t("loginMissing"), wrongRole: t("notClient"), failed: t("loginFailed"),
      unavailable: t("loginUnavailable") };
    return submitLogin(event, (answer) => answer.role === "client", texts,
      (answer) => startSession(answer.token, { user_id: answer.user_id, name: answer.name }, true));
  }

  function startSession(token, me, fresh) {
    state.token = token;
    state.me = me;
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(ME_KEY, JSON.stringify(me));
    if (fresh) {
      state.log = [];
      state.seen = new Set();
    }
    $("login-view").hidden = true;
    $("chat-view").hidden = false;
    $("me").textContent = me.name || me.user_id || "";
    renderLog();
    if (!state.log.length) addMessage({ id: "welcome", from: "system", text: t("welcome", { name: me.name || "" }), buttons: [] });
    loadHistory();
    state.stream = openEventStream(token, "/api/chat/stream", onStreamEvent, {
      onOpen: (reconnected) => {
        $("connection-note").hidden = true;
        if (reconnected) loadHistory(); // catch up on what came while we were away
      },
      onDown: () => {
        $("connection-note").textContent = t("reconnecting");
        $("connection-note").hidden = false;
      },
      onUnauthorized: () => endSession(t("sessionExpired")),
    });
    $("chat-input").focus();
  }

  function endSession(message) {
    if (state.stream) state.stream.close();
    state.stream = null;
    state.token = null;
    state.me = null;
    state.log = [];
    state.seen = new Set();
    state.handoff = null;
    state.pending = 0;
    for (const key of [TOKEN_KEY, ME_KEY, LOG_KEY]) sessionStorage.removeItem(key);
    $("messages").replaceChildren();
    $("chat-view").hidden = true;
    $("login-view").hidden = false;
    $("typing").hidden = true;
    renderBanner();
    showLoginError(message || "");
  }

  async function loadHistory() {
    try {
      const answer = await api(state.token, "GET", "/api/chat/history");
      for (const raw of answer.messages || []) receive(raw);
      setHandoff(answer.handoff || null);
    } catch (error) {
      if (error.status === 401) endSession(t("sessionExpired"));
      // otherwise the stream's reconnection will try again
    }
  }

  // ---------------------------------------------------------------- the conversation
  function saveLog() {
    try {
      const kept = (key, value) => (key === "node" || key === "pending" ? undefined : value);
      sessionStorage.setItem(LOG_KEY, JSON.stringify(state.log.slice(-MAX_KEPT), kept));
    } catch (error) {
      // storage full or disabled: the conversation still works, only a reload forgets it
    }
  }

  function nearBottom() {
    const box = $("messages");
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollDown() {
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  }

  function bubbleFor(entry) {
    const from = entry.error ? "error" : entry.from;
    const children = [];
    if (entry.from === "agent" && !entry.error) {
      children.push(el("div", { className: "sender", "data-testid": "agent-name", text: entry.sender_name || t("agent") }));
    }
    children.push(el("div", {
      className: "bubble", "data-testid": "bubble-" + from, title: entry.at ? bankTime(entry.at) : null, text: entry.text,
    }));
    if (entry.failed) children.push(el("div", { className: "time", "data-testid": "not-delivered", text: t("notDelivered") }));
    if (entry.buttons && entry.buttons.length) {
      const rating = entry.buttons.every(isRating);
      const group = el("div", { className: "choices" + (rating ? " rating" : ""), role: "group" });
      entry.buttons.forEach((button, index) => {
        group.append(el("button", {
          type: "button",
          className: entry.chosen === index ? "chosen" : null,
          "data-testid": isRating(button) ? "rating-button" : "reply-button",
          "data-payload": button.payload,
          disabled: entry.used,
          text: button.title,
          onclick: () => choose(entry, index),
        }));
      });
      children.push(group);
    }
    const row = el("div", {
      className: "row " + (entry.error ? "error" : "from-" + entry.from) + (entry.pending ? " pending" : ""),
      "data-message-id": entry.id || null,
      // the client's own messages: pending until the server has them, then sent (or failed)
      "data-sent": entry.from === "client" && !entry.error ? (entry.pending ? "pending" : entry.failed ? "failed" : "sent") : null,
    }, children);
    entry.node = row;
    return row;
  }

  function renderLog() {
    const box = $("messages");
    box.replaceChildren(...state.log.map(bubbleFor));
    scrollDown();
  }

  function addMessage(message) {
    const entry = Object.assign({ used: false, chosen: null }, message);
    if (entry.id) state.seen.add(entry.id);
    const stick = nearBottom() || entry.from === "client";
    state.log.push(entry);
    $("messages").append(bubbleFor(entry));
    if (stick) scrollDown();
    saveLog();
    return entry;
  }

  function rerender(entry) {
    const old = entry.node;
    if (old && old.parentNode) old.replaceWith(bubbleFor(entry));
  }

  /** A message from the server (answer, history or stream), shown once. ``sent``: the bubble of the
   *  message whose answer this is; the client's own message in it is that bubble, as stored (masked). */
  function receive(raw, sent) {
    const message = normaliseMessage(raw);
    if (message.id && state.seen.has(message.id)) return;
    if (message.from === "client") {
      // our own message echoed back: the bubble already shown gets its id instead of a second bubble
      const mine = sent && !sent.id ? sent
        : state.log.find((entry) => entry.from === "client" && entry.pending && !entry.id && entry.text === message.text);
      if (mine) {
        mine.id = message.id;
        if (message.id) state.seen.add(message.id);
        if (message.text && message.text !== mine.text) {
          mine.text = message.text; // as kept: numbers masked
          rerender(mine);
        }
        saveLog();
        return;
      }
    }
    if (!message.text && !message.buttons.length) return;
    addMessage(message);
  }

  function showError(text) {
    addMessage({ id: null, from: "system", error: true, text, buttons: [] });
  }

  /** Earlier buttons go inactive once the client says anything (like quick replies). */
  function retireButtons() {
    for (const entry of state.log) {
      if (entry.buttons && entry.buttons.length && !entry.used) {
        entry.used = true;
        rerender(entry);
      }
    }
  }

  function choose(entry, index) {
    if (entry.used) return;
    const button = entry.buttons[index];
    retireButtons();
    entry.chosen = index;
    rerender(entry);
    saveLog();
    send(button.title, button.payload);
  }

  function setTyping(delta) {
    state.pending = Math.max(0, state.pending + delta);
    const typing = $("typing");
    const stick = nearBottom();
    typing.hidden = state.pending === 0;
    if (stick) scrollDown();
  }

  function send(text, payload) {
    const trimmed = (text || "").trim();
    if (!trimmed) return;
    if (trimmed.length > MAX_TEXT) {
      showError(t("tooLong"));
      return;
    }
    retireButtons();
    const mine = addMessage({ id: null, from: "client", text: trimmed, buttons: [], at: new Date().toISOString(), pending: true });
    const body = payload ? { text: trimmed, payload } : { text: trimmed };
    const token = state.token;
    // the typing dots say the assistant is answering; while a person holds the conversation, they reply when they do
    const typing = state.handoff ? 0 : 1;
    setTyping(+typing);
    // one at a time, so the answers come in the order of the questions
    state.sendChain = state.sendChain.then(async () => {
      try {
        const answer = await api(token, "POST", "/api/chat/messages", body);
        if (token !== state.token) return;
        for (const raw of answer.messages || []) receive(raw, mine); // may carry our own message back, with its id
        if (answer.kept) receive(answer.kept, mine); // kept for the person: the bubble gets its stored id
        mine.pending = false;
        rerender(mine);
        if ("handoff" in answer) setHandoff(answer.handoff);
        saveLog();
      } catch (error) {
        if (token !== state.token) return;
        mine.pending = false;
        mine.failed = error.status === 0 || error.status === 400 || error.status === 413 || error.status === 422 ||
          (error.status >= 500 && !state.handoff);
        rerender(mine);
        if (error.status === 401) return endSession(t("sessionExpired"));
        if (error.status === 0) showError(t("sendFailed"));
        else if (error.status === 400 || error.status === 413 || error.status === 422) showError(error.detail || t("badRequest"));
        else showError(error.detail || t("unavailable"));
      } finally {
        setTyping(-typing);
      }
    });
  }

  function onStreamEvent(name, data) {
    if (name === "message") receive(data);
    else if (name === "handoff") setHandoff(data);
  }

  // ---------------------------------------------------------------- the handoff banner
  function setHandoff(handoff) {
    state.handoff = handoff && (handoff.status === "waiting" || handoff.status === "taken") ? handoff : null;
    renderBanner();
  }

  function renderBanner() {
    const banner = $("handoff-banner");
    const handoff = state.handoff;
    if (!handoff) {
      banner.hidden = true;
      banner.className = "handoff-banner";
      banner.dataset.status = "";
      return;
    }
    let text;
    if (handoff.status === "taken") {
      const name = handoff.taken_by_name || handoff.target_name || t("agent");
      text = t(handoff.taken_by_role === "agent" ? "takenAgent" : "takenAdvisor", { name });
    } else {
      const due = new Date(handoff.reply_expected_by);
      const name = handoff.target_name || t("agent");
      text = handoff.reply_expected_by && due.getTime() > Date.now()
        ? t("waiting", { name, time: bankTime(handoff.reply_expected_by) })
        : t("waitingNoTime", { name });
    }
    $("handoff-text").textContent = text;
    banner.className = "handoff-banner " + handoff.status;
    banner.dataset.status = handoff.status;
    banner.hidden = false;
  }

  // ---------------------------------------------------------------- wiring
  function growInput() {
    const input = $("chat-input");
    input.style.height = "40px";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  function submitInput(event) {
    if (event) event.preventDefault();
    const input = $("chat-input");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    growInput();
    send(text);
    input.focus();
  }

  function boot() {
    $("login-form").addEventListener("submit", login);
    $("composer").addEventListener("submit", submitInput);
    $("chat-input").addEventListener("input", growInput);
    $("chat-input").addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter breaks the line; never while an input method is composing (pinyin)
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) submitInput(event);
    });
    $("logout").addEventListener("click", () => endSession(""));
    for (const toggle of document.querySelectorAll(".script-toggle")) {
      toggle.addEventListener("click", () => {
        state.script = state.script === "hans" ? "hant" : "hans";
        localStorage.setItem(SCRIPT_KEY, state.script);
        applyLabels();
      });
    }
    setInterval(renderBanner, 30000); // a promised time that has passed reads "as soon as possible"
    applyLabels();

    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return;
    let me = null;
    try {
      me = JSON.parse(sessionStorage.getItem(ME_KEY) || "null");
      state.log = JSON.parse(sessionStorage.getItem(LOG_KEY) || "[]");
    } catch (error) {
      state.log = [];
    }
    for (const entry of state.log) if (entry.id) state.seen.add(entry.id);
    // the token may have expired since: /api/me says
    api(token, "GET", "/api/me")
      .then((answer) => {
        if (answer.role !== "client") return endSession(t("notClient"));
        startSession(token, { user_id: answer.user_id, name: answer.name || (me && me.name) }, false);
      })
      .catch((error) => {
        if (error.status === 401 || error.status === 403) endSession(t("sessionExpired"));
        else if (me) startSession(token, me, false); // the server is unreachable: the stream keeps trying
        else endSession("");
      });
  }

  boot();
})();
