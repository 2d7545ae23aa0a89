//! Every user-visible string of the app, in one place, in Chinese ([`ZH`]) and English ([`EN`]).
//!
//! The fixed texts are fields of [`Strings`], so a table that lacks one does not compile. Texts
//! with figures in them are functions here that speak both languages. The server sends codes
//! (categories, statuses, roles, error codes); this module puts them in words.
//!
//! The language follows the browser until the user picks one in 我的; the choice is kept on the
//! device (`localStorage`), so it holds offline and across restarts.

use std::cell::Cell;

use model::{
    Category,
    api::{Lang, ReviewStatus, Role},
};

/// The fixed texts of the interface.
#[derive(Debug)]
pub struct Strings {
    pub app_name: &'static str,
    pub loading: &'static str,
    pub tab_station: &'static str,
    pub tab_report: &'static str,
    pub tab_points: &'static str,
    pub tab_mine: &'static str,
    pub tab_bar_label: &'static str,
    pub title_login: &'static str,
    pub title_console: &'static str,
    // Login.
    pub login_account: &'static str,
    pub login_account_placeholder: &'static str,
    pub login_password: &'static str,
    pub login_submit: &'static str,
    pub login_busy: &'static str,
    pub login_missing: &'static str,
    pub login_offline: &'static str,
    pub login_failed: &'static str,
    pub login_register_link: &'static str,
    // Registration.
    pub title_register: &'static str,
    pub register_phone: &'static str,
    pub register_phone_placeholder: &'static str,
    pub register_name: &'static str,
    pub register_name_placeholder: &'static str,
    pub register_password: &'static str,
    pub register_password_placeholder: &'static str,
    pub register_invite: &'static str,
    pub register_invite_placeholder: &'static str,
    pub register_submit: &'static str,
    pub register_busy: &'static str,
    pub register_missing: &'static str,
    pub register_offline: &'static str,
    pub register_failed: &'static str,
    pub register_login_link: &'static str,
    pub relogin_prompt: &'static str,
    pub relogin_action: &'static str,
    // The sync badge.
    pub badge_synced: &'static str,
    pub badge_offline: &'static str,
    pub badge_live: &'static str,
    pub badge_connecting: &'static str,
    pub badge_preparing: &'static str,
    // The report form.
    pub form_category: &'static str,
    pub form_note: &'static str,
    pub form_note_placeholder: &'static str,
    pub form_location: &'static str,
    pub form_locate: &'static str,
    pub form_locating: &'static str,
    pub form_manual: &'static str,
    pub form_lat: &'static str,
    pub form_lon: &'static str,
    pub form_place: &'static str,
    pub form_place_placeholder: &'static str,
    pub form_submit: &'static str,
    pub photo_title: &'static str,
    pub review_prefix: &'static str,
    pub console_review_failed: &'static str,
    pub stations_loading: &'static str,
    pub stations_empty: &'static str,
    pub stations_none_match: &'static str,
    pub stations_in_circle: &'static str,
    pub stations_no_position: &'static str,
    pub stations_filter: &'static str,
    pub stations_open_now: &'static str,
    pub station_title: &'static str,
    pub sync_engine_failed: &'static str,
    pub station_admin_title: &'static str,
    pub station_admin_hint: &'static str,
    pub station_name_label: &'static str,
    pub station_status_label: &'static str,
    pub station_edit: &'static str,
    pub station_new: &'static str,
    pub station_id_label: &'static str,
    pub station_address_label: &'static str,
    pub station_lat_label: &'static str,
    pub station_lon_label: &'static str,
    pub station_hours_hint: &'static str,
    pub station_kind_label: &'static str,
    pub station_save: &'static str,
    pub station_cancel: &'static str,
    pub station_saved: &'static str,
    pub stations_export: &'static str,
    pub station_id_taken: &'static str,
    pub stations_import: &'static str,
    pub stations_import_unreadable: &'static str,
    pub alert_label: &'static str,
    pub sketch_label: &'static str,
    pub district_pick: &'static str,
    pub district_none: &'static str,
    pub sketch_north: &'static str,
    pub sketch_me: &'static str,
    pub alerts_title: &'static str,
    pub alert_kind_label: &'static str,
    pub alert_level_label: &'static str,
    pub alert_text_label: &'static str,
    pub alert_from_label: &'static str,
    pub alert_to_label: &'static str,
    pub alert_send: &'static str,
    pub alert_sent: &'static str,
    pub station_hours: &'static str,
    pub station_closed_day: &'static str,
    pub station_all_day: &'static str,
    pub station_facilities: &'static str,
    pub station_host: &'static str,
    pub station_phone: &'static str,
    pub station_navigate: &'static str,
    pub station_back: &'static str,
    pub station_not_found: &'static str,
    pub map_amap: &'static str,
    pub map_baidu: &'static str,
    pub map_apple: &'static str,
    pub console_col_photos: &'static str,
    pub console_photo_open: &'static str,
    pub console_photo_waiting: &'static str,
    pub console_photo_waiting_short: &'static str,
    pub photo_camera: &'static str,
    pub photo_gallery: &'static str,
    pub photo_remove: &'static str,
    pub photo_preparing: &'static str,
    pub photo_unreadable: &'static str,
    pub photo_stored: &'static str,
    pub photo_refused: &'static str,
    pub form_saved: &'static str,
    pub form_need_category: &'static str,
    pub form_need_location: &'static str,
    pub form_wait_location: &'static str,
    pub form_confirm_location: &'static str,
    pub form_bad_location: &'static str,
    pub form_doc_not_ready: &'static str,
    pub form_save_failed: &'static str,
    pub geo_denied: &'static str,
    pub geo_unavailable: &'static str,
    pub geo_timeout: &'static str,
    pub geo_unsupported: &'static str,
    // The outbox.
    pub outbox_title: &'static str,
    pub outbox_empty: &'static str,
    pub state_local: &'static str,
    pub state_sending: &'static str,
    pub state_received: &'static str,
    pub manual_location: &'static str,
    // 我的.
    pub mine_name: &'static str,
    pub mine_phone: &'static str,
    pub mine_county: &'static str,
    pub mine_role: &'static str,
    pub logout: &'static str,
    pub logout_unsent_title: &'static str,
    pub logout_cancel: &'static str,
    pub logout_anyway: &'static str,
    pub role_rider: &'static str,
    pub role_supervisor: &'static str,
    pub role_admin: &'static str,
    pub role_station: &'static str,
    // The console.
    pub console_col_time: &'static str,
    pub console_col_category: &'static str,
    pub console_col_rider: &'static str,
    pub console_col_note: &'static str,
    pub console_col_location: &'static str,
    pub console_col_status: &'static str,
    pub console_table: &'static str,
    pub console_empty: &'static str,
    pub console_load_failed: &'static str,
    pub console_offline: &'static str,
    pub console_reload: &'static str,
    pub console_more: &'static str,
    pub mine_language: &'static str,
    pub document_title: &'static str,
    pub note_separator: &'static str,
    pub points_balance: &'static str,
    pub points_history: &'static str,
    pub points_empty: &'static str,
    pub points_award: &'static str,
    pub points_adjustment: &'static str,
    pub points_refund: &'static str,
    pub notices_title: &'static str,
    pub notices_empty: &'static str,
    pub notice_review: &'static str,
    pub notice_redemption: &'static str,
    pub station_updated: &'static str,
    pub notice_wish: &'static str,
    pub wish_status_pending: &'static str,
    pub wish_status_approved: &'static str,
    pub wish_status_rejected: &'static str,
    pub wish_status_claimed: &'static str,
    pub wish_status_fulfilled: &'static str,
    pub wishes_title: &'static str,
    pub wish_new: &'static str,
    pub wish_placeholder: &'static str,
    pub wish_post: &'static str,
    pub wish_saved: &'static str,
    pub wish_bad: &'static str,
    pub wish_failed: &'static str,
    pub wishes_mine: &'static str,
    pub wishes_wall_empty: &'static str,
    pub wishes_mine_empty: &'static str,
    pub wish_claimed_by: &'static str,
    pub checkin_button: &'static str,
    pub checkin_done: &'static str,
    pub checkin_failed: &'static str,
    pub speed_label: &'static str,
    pub wishes_admin_title: &'static str,
    pub wish_approve: &'static str,
    pub wish_reject: &'static str,
    pub wish_claim: &'static str,
    pub wish_fulfil: &'static str,
    pub wish_reason: &'static str,
    pub wish_org: &'static str,
    pub wishes_admin_empty: &'static str,
    pub checkins_title: &'static str,
    pub checkins_total: &'static str,
    pub checkins_by_hour: &'static str,
    pub coverage_title: &'static str,
    pub coverage_none: &'static str,
    pub coverage_area: &'static str,
    pub coverage_reports: &'static str,
    pub coverage_checkins: &'static str,
    pub coverage_nearest: &'static str,
    pub station_poster: &'static str,
    pub notice_notice: &'static str,
    pub notice_unread: &'static str,
    pub rewards_title: &'static str,
    pub rewards_empty: &'static str,
    pub rewards_offline_note: &'static str,
    pub redeem: &'static str,
    pub redeem_cancel: &'static str,
    pub redeem_needs_sync: &'static str,
    pub redeem_failed: &'static str,
    pub redemptions_title: &'static str,
    pub redemption_local: &'static str,
    pub redemption_processing: &'static str,
    pub redemption_done: &'static str,
    pub redemption_picked_up: &'static str,
    pub redemption_failed: &'static str,
    pub redemption_refunded: &'static str,
    pub reason_balance: &'static str,
    pub reason_stock: &'static str,
    pub reason_unavailable: &'static str,
    pub pickup_code: &'static str,
    pub pickup_title: &'static str,
    pub pickup_submit: &'static str,
    pub filter_status: &'static str,
    pub filter_all_statuses: &'static str,
    pub filter_category: &'static str,
    pub filter_all_categories: &'static str,
    pub filter_search: &'static str,
    pub filter_from: &'static str,
    pub filter_to: &'static str,
    pub export_csv: &'static str,
    pub stats_title: &'static str,
    pub stats_weeks: &'static str,
    pub stats_week: &'static str,
    pub stats_received: &'static str,
    pub stats_valid_rate: &'static str,
    pub stats_median: &'static str,
    pub stats_points: &'static str,
    pub stats_riders: &'static str,
    pub console_keys: &'static str,
    pub console_key_move: &'static str,
    pub console_key_help: &'static str,
    pub console_key_duplicate: &'static str,
    pub console_dup_title: &'static str,
    pub console_key_valid: &'static str,
    pub console_key_invalid: &'static str,
    pub console_reject_title: &'static str,
    pub console_points: &'static str,
    pub console_note: &'static str,
    pub console_key_forward: &'static str,
    pub console_forward_title: &'static str,
    pub console_own_reason: &'static str,
    pub console_own_department: &'static str,
    pub console_resolve_note: &'static str,
    pub catalogue_title: &'static str,
    pub catalogue_name: &'static str,
    pub catalogue_price: &'static str,
    pub catalogue_stock: &'static str,
    pub catalogue_active: &'static str,
    pub catalogue_withdrawn: &'static str,
    pub catalogue_change: &'static str,
    pub catalogue_add: &'static str,
    pub catalogue_save: &'static str,
    pub catalogue_edit: &'static str,
    pub catalogue_cancel: &'static str,
    pub catalogue_picture: &'static str,
    pub catalogue_picture_busy: &'static str,
    pub catalogue_note: &'static str,
    pub counter_title: &'static str,
    pub counter_note: &'static str,
    pub settings_title: &'static str,
    pub settings_reasons: &'static str,
    pub settings_departments: &'static str,
    pub settings_awards: &'static str,
    pub settings_share: &'static str,
    pub settings_save: &'static str,
    pub settings_saved: &'static str,
    pub console_select: &'static str,
    pub console_select_all: &'static str,
    pub console_key_select: &'static str,
    pub batch_invalid: &'static str,
    pub batch_clear: &'static str,
    pub batch_reason: &'static str,
    pub filter_rider_only: &'static str,
    pub filter_rider_clear: &'static str,
    pub viewer_title: &'static str,
    pub viewer_zoom_in: &'static str,
    pub viewer_zoom_out: &'static str,
    pub viewer_fit: &'static str,
    pub viewer_close: &'static str,
    pub viewer_prev: &'static str,
    pub viewer_next: &'static str,
    pub viewer_original: &'static str,
    pub filter_all_places: &'static str,
    pub filter_near: &'static str,
    pub notice_send_title: &'static str,
    pub notice_placeholder: &'static str,
    pub notice_send: &'static str,
    pub notice_confirm: &'static str,
}

/// The Chinese table.
pub static ZH: Strings = Strings {
    app_name: "暖新",
    loading: "加载中…",
    tab_station: "驿站",
    tab_report: "随手拍",
    tab_points: "积分",
    tab_mine: "我的",
    tab_bar_label: "主导航",
    title_login: "登录",
    title_console: "隐患处置台",
    login_account: "账号",
    login_account_placeholder: "手机号或账号",
    login_password: "密码",
    login_submit: "登录",
    login_busy: "登录中…",
    login_missing: "请输入账号和密码",
    login_offline: "网络不可用，请联网后登录",
    login_failed: "登录失败，请稍后再试",
    login_register_link: "没有账号？用邀请码注册",
    title_register: "注册",
    register_phone: "手机号",
    register_phone_placeholder: "11 位手机号",
    register_name: "姓名",
    register_name_placeholder: "真实姓名",
    register_password: "密码",
    register_password_placeholder: "至少 8 位",
    register_invite: "邀请码",
    register_invite_placeholder: "驿站提供的邀请码",
    register_submit: "注册",
    register_busy: "注册中…",
    register_missing: "请填写手机号、姓名、密码和邀请码",
    register_offline: "网络不可用，请联网后注册",
    register_failed: "注册失败，请稍后再试",
    register_login_link: "已有账号？去登录",
    relogin_prompt: "登录已过期，请重新登录。未发送的上报仍保存在手机上。",
    relogin_action: "重新登录",
    badge_synced: "已同步",
    badge_offline: "离线",
    badge_live: "实时更新",
    badge_connecting: "连接中",
    badge_preparing: "同步中",
    form_category: "隐患类型",
    form_note: "补充说明（选填）",
    form_note_placeholder: "描述一下现场情况",
    form_location: "位置",
    form_locate: "获取位置",
    form_locating: "正在获取位置…",
    form_manual: "手动填写位置",
    form_lat: "纬度",
    form_lon: "经度",
    form_place: "地点描述",
    form_place_placeholder: "如：人民路与解放路路口",
    form_submit: "提交",
    photo_title: "照片（最多 3 张）",
    review_prefix: "审核结果：",
    console_review_failed: "提交审核失败",
    stations_loading: "正在获取本县驿站…（联网后自动更新）",
    stations_empty: "本县暂无驿站信息",
    stations_none_match: "没有同时具备所选设施的驿站",
    stations_in_circle: "15 分钟内",
    stations_no_position: "未获得定位：允许定位后按距离排序",
    stations_filter: "需要的设施",
    stations_open_now: "正在营业",
    station_title: "驿站详情",
    sync_engine_failed: "同步组件未能加载，请联网后刷新页面（已提交的隐患仍保存在手机上）",
    station_admin_title: "驿站管理",
    station_admin_hint: "修改在骑手下次同步后出现在手机上。暂停营业的驿站仍然显示；撤销的驿站不再显示给骑手。",
    station_name_label: "名称",
    station_status_label: "状态",
    station_edit: "编辑",
    station_new: "新增驿站",
    station_id_label: "编号（小写字母、数字、连字符）",
    station_address_label: "地址",
    station_lat_label: "纬度（WGS-84）",
    station_lon_label: "经度（WGS-84）",
    station_hours_hint: "每天填写如 07:00-22:00；全天营业填 24h；跨夜如 20:00-06:00；休息留空。",
    station_kind_label: "类型",
    station_save: "保存",
    station_cancel: "取消",
    station_saved: "已保存：骑手下次同步后可见",
    stations_export: "导出 CSV",
    station_id_taken: "这个编号已有驿站，请换一个编号，或在列表中编辑它",
    stations_import: "导入 CSV",
    stations_import_unreadable: "无法读取这个文件",
    alert_label: "天气预警",
    sketch_label: "示意图：你在中心，周围的驿站按实际距离排布，圆圈为骑行 15 分钟范围",
    district_pick: "没有定位？选择你所在的街道或乡镇：",
    district_none: "请选择",
    sketch_north: "北",
    sketch_me: "你的位置",
    alerts_title: "高温/低温预警",
    alert_kind_label: "类型",
    alert_level_label: "级别",
    alert_text_label: "提醒内容",
    alert_from_label: "开始时间",
    alert_to_label: "结束时间",
    alert_send: "发布预警",
    alert_sent: "已发布：骑手同步后在手机上看到，离线也能看到，到结束时间自动消失",
    station_hours: "营业时间",
    station_closed_day: "休息",
    station_all_day: "24 小时",
    station_facilities: "设施",
    station_host: "所在单位",
    station_phone: "电话",
    station_navigate: "导航前往",
    station_back: "全部驿站",
    station_not_found: "没有找到这个驿站（联网同步后再试）",
    map_amap: "高德地图",
    map_baidu: "百度地图",
    map_apple: "Apple 地图",
    console_col_photos: "照片",
    console_photo_open: "查看原图",
    console_photo_waiting: "照片还在骑手手机上，上传后自动显示",
    console_photo_waiting_short: "待上传",
    photo_camera: "拍照",
    photo_gallery: "从相册选择",
    photo_remove: "删除这张照片",
    photo_preparing: "正在处理照片…",
    photo_unreadable: "这个文件不是照片，无法读取。请重新拍照，或从相册选择照片。",
    photo_stored: "照片已上传",
    photo_refused: "照片被拒收",
    form_saved: "已保存到手机",
    form_need_category: "请选择隐患类型",
    form_need_location: "请先获取位置或手动填写",
    form_wait_location: "正在获取位置，请稍候再提交",
    form_confirm_location: "仍在此处",
    form_bad_location: "经纬度格式不正确",
    form_doc_not_ready: "本机数据尚未准备好，请联网同步一次后再提交",
    form_save_failed: "保存失败",
    geo_denied: "无法获取位置：定位权限被拒绝。请手动填写位置。",
    geo_unavailable: "无法获取位置：暂时没有定位信号。请手动填写位置。",
    geo_timeout: "无法获取位置：定位超时。请手动填写位置。",
    geo_unsupported: "此设备不支持定位。请手动填写位置。",
    outbox_title: "我的上报",
    outbox_empty: "还没有上报记录",
    state_local: "本机已保存",
    state_sending: "发送中",
    state_received: "服务器已收到",
    manual_location: "手动",
    mine_name: "姓名",
    mine_phone: "手机号",
    mine_county: "所在区县",
    mine_role: "身份",
    logout: "退出登录",
    logout_unsent_title: "还有上报未发送",
    logout_cancel: "取消",
    logout_anyway: "仍然退出",
    role_rider: "骑手",
    role_supervisor: "网格管理员",
    role_admin: "管理员",
    role_station: "驿站工作人员",
    console_col_time: "时间",
    console_col_category: "类型",
    console_col_rider: "上报人",
    console_col_note: "说明",
    console_col_location: "位置",
    console_col_status: "状态",
    console_table: "隐患上报列表",
    console_empty: "暂无上报",
    console_load_failed: "加载失败",
    console_offline: "网络不可用，联网后自动更新",
    console_reload: "重新加载",
    console_more: "加载更早的上报",
    mine_language: "语言",
    document_title: "暖新",
    note_separator: "：",
    points_balance: "可用积分",
    points_history: "积分明细",
    points_empty: "还没有积分记录。上报的隐患经审核有效后获得积分。",
    points_award: "上报有效",
    points_adjustment: "审核调整",
    points_refund: "兑换退回",
    notices_title: "消息",
    notices_empty: "还没有消息。上报经审核后，结果会在这里告诉你。",
    notice_review: "审核结果",
    notice_redemption: "兑换结果",
    station_updated: "信息更新于",
    notice_wish: "微心愿",
    wish_status_pending: "待审核",
    wish_status_approved: "已上墙",
    wish_status_rejected: "未通过",
    wish_status_claimed: "已认领",
    wish_status_fulfilled: "已实现",
    wishes_title: "微心愿墙",
    wish_new: "许个微心愿",
    wish_placeholder: "需要的帮助或小物件，100 字以内",
    wish_post: "提交心愿",
    wish_saved: "心愿已保存在手机上，联网后送审",
    wish_bad: "心愿应为 1 到 100 个字",
    wish_failed: "未能保存心愿",
    wishes_mine: "我的心愿",
    wishes_wall_empty: "墙上还没有心愿",
    wishes_mine_empty: "你还没有许愿",
    wish_claimed_by: "认领单位：",
    checkin_button: "在此签到",
    checkin_done: "已签到",
    checkin_failed: "未能签到",
    speed_label: "骑行速度（计算骑行分钟）",
    wishes_admin_title: "微心愿审核",
    wish_approve: "通过",
    wish_reject: "驳回",
    wish_claim: "认领",
    wish_fulfil: "标记已实现",
    wish_reason: "驳回理由",
    wish_org: "认领单位",
    wishes_admin_empty: "没有待处理的心愿",
    checkins_title: "驿站签到",
    checkins_total: "合计",
    checkins_by_hour: "按小时",
    coverage_title: "覆盖缺口",
    coverage_none: "近 30 天的上报和签到都在开放驿站的 15 分钟圈内",
    coverage_area: "区域",
    coverage_reports: "上报",
    coverage_checkins: "签到",
    coverage_nearest: "最近的开放驿站",
    station_poster: "二维码海报",
    notice_notice: "通知",
    notice_unread: "未读",
    rewards_title: "积分兑换",
    rewards_empty: "联网同步后，这里会列出本县可兑换的奖品。",
    rewards_offline_note: "离线也可兑换：申请会在联网后送达，以服务器确认为准。",
    redeem: "兑换",
    redeem_cancel: "取消",
    redeem_needs_sync: "联网同步一次后即可兑换",
    redeem_failed: "未能保存兑换申请",
    redemptions_title: "我的兑换",
    redemption_local: "待同步",
    redemption_processing: "处理中",
    redemption_done: "已兑换",
    redemption_picked_up: "已领取",
    redemption_failed: "未成功",
    redemption_refunded: "逾期未领，积分已退回",
    reason_balance: "积分不足",
    reason_stock: "库存不足",
    reason_unavailable: "奖品已下架",
    pickup_code: "取货码",
    pickup_title: "兑换核销",
    pickup_submit: "核销",
    filter_status: "状态",
    filter_all_statuses: "全部状态",
    filter_category: "类型",
    filter_all_categories: "全部类型",
    filter_search: "搜索说明、地点或骑手",
    filter_from: "从",
    filter_to: "到",
    export_csv: "导出 CSV",
    stats_title: "统计",
    stats_weeks: "近 8 周各类隐患",
    stats_week: "周（起）",
    stats_received: "收到",
    stats_valid_rate: "有效率",
    stats_median: "审核用时（中位数）",
    stats_points: "积分",
    stats_riders: "本月骑手积分榜",
    console_keys: "快捷键",
    console_key_move: "下一条 / 上一条",
    console_key_help: "显示或隐藏快捷键",
    console_key_duplicate: "重复（再按数字选原报）",
    console_dup_title: "可能重复于（按数字选择，Esc 取消）：",
    console_key_valid: "有效（可改积分和备注，回车确认）",
    console_key_invalid: "无效（再按数字选原因）",
    console_reject_title: "无效原因（按数字选择，0 自行填写，Esc 取消）：",
    console_points: "积分",
    console_note: "备注",
    console_key_forward: "转办（再按数字选部门）",
    console_forward_title: "转办给（按数字选择，0 自行填写，Esc 取消）：",
    console_own_reason: "其他原因（回车确认，Esc 取消）",
    console_own_department: "其他部门（回车确认，Esc 取消）",
    console_resolve_note: "处理结果（选填，回车确认，Esc 取消）",
    catalogue_title: "奖品管理",
    catalogue_name: "名称",
    catalogue_price: "兑换积分",
    catalogue_stock: "库存",
    catalogue_active: "上架",
    catalogue_withdrawn: "已下架",
    catalogue_change: "库存增减",
    catalogue_add: "添加奖品",
    catalogue_save: "保存",
    catalogue_edit: "编辑",
    catalogue_cancel: "取消",
    catalogue_picture: "图片",
    catalogue_picture_busy: "正在上传图片…",
    catalogue_note: "修改会在骑手下次同步时送达。库存填增减数，不会覆盖同时发生的兑换。",
    counter_title: "驿站兑换核销",
    counter_note: "请骑手出示 6 位取货码，核销后交付奖品；每个取货码只能用一次。",
    settings_title: "县级设置",
    settings_reasons: "无效原因（每行一条，最多 9 条）",
    settings_departments: "转办部门（每行一个，最多 9 个）",
    settings_awards: "各类隐患首报积分",
    settings_share: "重复上报分成（%）",
    settings_save: "保存设置",
    settings_saved: "已保存。新的积分标准在骑手下次同步时送达。",
    console_select: "选择",
    console_select_all: "全选待处理",
    console_key_select: "选中或取消（可批量标为无效）",
    batch_invalid: "批量标为无效",
    batch_clear: "取消选择",
    batch_reason: "原因",
    filter_rider_only: "只看此骑手",
    filter_rider_clear: "显示全部骑手",
    viewer_title: "照片",
    viewer_zoom_in: "放大",
    viewer_zoom_out: "缩小",
    viewer_fit: "适合窗口",
    viewer_close: "关闭",
    viewer_prev: "上一张",
    viewer_next: "下一张",
    viewer_original: "原图",
    filter_all_places: "全部位置",
    filter_near: "距驿站",
    notice_send_title: "通知骑手",
    notice_placeholder: "发给本县全部骑手，例如高温提醒",
    notice_send: "发送",
    notice_confirm: "确认发送给全县骑手",
};

/// The English table.
pub static EN: Strings = Strings {
    app_name: "Nuanxin",
    loading: "Loading…",
    tab_station: "Stations",
    tab_report: "Report",
    tab_points: "Points",
    tab_mine: "Me",
    tab_bar_label: "Main navigation",
    title_login: "Log in",
    title_console: "Hazard console",
    login_account: "Account",
    login_account_placeholder: "Phone number or account",
    login_password: "Password",
    login_submit: "Log in",
    login_busy: "Logging in…",
    login_missing: "Enter your account and password",
    login_offline: "No network: connect to log in",
    login_failed: "Login failed; try again later",
    login_register_link: "No account? Sign up with an invite code",
    title_register: "Sign up",
    register_phone: "Phone number",
    register_phone_placeholder: "11-digit phone number",
    register_name: "Name",
    register_name_placeholder: "Your real name",
    register_password: "Password",
    register_password_placeholder: "At least 8 characters",
    register_invite: "Invite code",
    register_invite_placeholder: "The code from your station",
    register_submit: "Sign up",
    register_busy: "Signing up…",
    register_missing: "Enter phone number, name, password and invite code",
    register_offline: "No network: connect to sign up",
    register_failed: "Sign-up failed; try again later",
    register_login_link: "Have an account? Log in",
    relogin_prompt: "Your login has expired. Log in again; unsent reports stay on this phone.",
    relogin_action: "Log in again",
    badge_synced: "Synced",
    badge_offline: "Offline",
    badge_live: "Live",
    badge_connecting: "Connecting",
    badge_preparing: "Syncing",
    form_category: "Hazard type",
    form_note: "Note (optional)",
    form_note_placeholder: "What is there?",
    form_location: "Location",
    form_locate: "Get location",
    form_locating: "Getting location…",
    form_manual: "Enter location by hand",
    form_lat: "Latitude",
    form_lon: "Longitude",
    form_place: "Place",
    form_place_placeholder: "e.g. corner of Renmin Rd and Jiefang Rd",
    form_submit: "Submit",
    photo_title: "Photos (up to 3)",
    review_prefix: "Review: ",
    console_review_failed: "The decision was not saved",
    stations_loading: "Loading the county's stations… (updates when online)",
    stations_empty: "No stations in this county yet",
    stations_none_match: "No station has every facility picked",
    stations_in_circle: "Within 15 min",
    stations_no_position: "No location yet: allow location to sort by distance",
    stations_filter: "Facilities needed",
    stations_open_now: "Open now",
    station_title: "Station",
    sync_engine_failed: "The sync component did not load: reload the page when online (filed reports stay on the phone)",
    station_admin_title: "Stations",
    station_admin_hint: "Changes reach riders' phones at their next sync. A paused station is still shown; a closed one is not shown to riders.",
    station_name_label: "Name",
    station_status_label: "Status",
    station_edit: "Edit",
    station_new: "New station",
    station_id_label: "Id (lower-case letters, digits, hyphens)",
    station_address_label: "Address",
    station_lat_label: "Latitude (WGS-84)",
    station_lon_label: "Longitude (WGS-84)",
    station_hours_hint: "Each day like 07:00-22:00; 24h for all day; overnight like 20:00-06:00; empty when closed.",
    station_kind_label: "Kind",
    station_save: "Save",
    station_cancel: "Cancel",
    station_saved: "Saved: riders see it after their next sync",
    stations_export: "Export CSV",
    station_id_taken: "A station has this id already: pick another, or edit it in the list",
    stations_import: "Import CSV",
    stations_import_unreadable: "This file cannot be read",
    alert_label: "Weather alert",
    sketch_label: "Sketch: you at the centre, the stations around to scale, the ring 15 minutes by bike",
    district_pick: "No location? Pick your town or subdistrict:",
    district_none: "Choose",
    sketch_north: "N",
    sketch_me: "You",
    alerts_title: "Heat and cold alerts",
    alert_kind_label: "Kind",
    alert_level_label: "Level",
    alert_text_label: "Message",
    alert_from_label: "From",
    alert_to_label: "Until",
    alert_send: "Publish alert",
    alert_sent: "Published: riders see it after syncing, offline too, until it ends",
    station_hours: "Opening hours",
    station_closed_day: "Closed",
    station_all_day: "24 h",
    station_facilities: "Facilities",
    station_host: "Hosted by",
    station_phone: "Phone",
    station_navigate: "Navigate",
    station_back: "All stations",
    station_not_found: "No such station here (try again after syncing)",
    map_amap: "Amap",
    map_baidu: "Baidu Maps",
    map_apple: "Apple Maps",
    console_col_photos: "Photos",
    console_photo_open: "Open full size",
    console_photo_waiting: "The photo is still on the rider's phone; it shows once uploaded",
    console_photo_waiting_short: "Pending",
    photo_camera: "Take photo",
    photo_gallery: "Choose from album",
    photo_remove: "Remove this photo",
    photo_preparing: "Preparing photo…",
    photo_unreadable: "This file is not a photo. Take a photo, or choose one from the album.",
    photo_stored: "Photo uploaded",
    photo_refused: "Photo refused",
    form_saved: "Saved on this phone",
    form_need_category: "Choose a hazard type",
    form_need_location: "Get the location or enter it first",
    form_wait_location: "Getting the location; submit in a moment",
    form_confirm_location: "Still here",
    form_bad_location: "Latitude or longitude is not a number",
    form_doc_not_ready: "This phone's data is not ready: sync once online, then submit",
    form_save_failed: "Not saved",
    geo_denied: "No location: permission denied. Enter the location by hand.",
    geo_unavailable: "No location: no signal for now. Enter the location by hand.",
    geo_timeout: "No location: it took too long. Enter the location by hand.",
    geo_unsupported: "This device cannot locate itself. Enter the location by hand.",
    outbox_title: "My reports",
    outbox_empty: "No reports yet",
    state_local: "Saved on phone",
    state_sending: "Sending",
    state_received: "Received",
    manual_location: "Manual",
    mine_name: "Name",
    mine_phone: "Phone",
    mine_county: "County",
    mine_role: "Role",
    logout: "Log out",
    logout_unsent_title: "Some reports are not sent yet",
    logout_cancel: "Cancel",
    logout_anyway: "Log out anyway",
    role_rider: "Rider",
    role_supervisor: "Grid supervisor",
    role_admin: "Administrator",
    role_station: "Station staff",
    console_col_time: "Time",
    console_col_category: "Type",
    console_col_rider: "Rider",
    console_col_note: "Note",
    console_col_location: "Location",
    console_col_status: "Status",
    console_table: "Hazard reports",
    console_empty: "No reports yet",
    console_load_failed: "Loading failed",
    console_offline: "No network; the list updates when online",
    console_reload: "Reload",
    console_more: "Load earlier reports",
    mine_language: "Language",
    document_title: "Nuanxin",
    note_separator: ": ",
    points_balance: "Points to spend",
    points_history: "History",
    points_empty: "No points yet. A report found valid by a supervisor earns points.",
    points_award: "Valid report",
    points_adjustment: "Decision changed",
    points_refund: "Redemption refunded",
    notices_title: "Messages",
    notices_empty: "No messages yet. Once a report is reviewed, the outcome shows here.",
    notice_review: "Review result",
    notice_redemption: "Redemption result",
    station_updated: "Updated",
    notice_wish: "Micro-wish",
    wish_status_pending: "Waiting for review",
    wish_status_approved: "On the wall",
    wish_status_rejected: "Not approved",
    wish_status_claimed: "Claimed",
    wish_status_fulfilled: "Fulfilled",
    wishes_title: "Wish wall",
    wish_new: "Make a wish",
    wish_placeholder: "Help or a small thing you need, up to 100 characters",
    wish_post: "Post the wish",
    wish_saved: "The wish is kept on this phone and goes for review once online",
    wish_bad: "A wish has 1 to 100 characters",
    wish_failed: "The wish could not be saved",
    wishes_mine: "My wishes",
    wishes_wall_empty: "No wish on the wall yet",
    wishes_mine_empty: "You have made no wish yet",
    wish_claimed_by: "Claimed by: ",
    checkin_button: "Check in here",
    checkin_done: "Checked in",
    checkin_failed: "Could not check in",
    speed_label: "Riding speed (for riding minutes)",
    wishes_admin_title: "Wishes",
    wish_approve: "Approve",
    wish_reject: "Reject",
    wish_claim: "Claim",
    wish_fulfil: "Mark fulfilled",
    wish_reason: "Reason",
    wish_org: "Organisation",
    wishes_admin_empty: "No wish to handle",
    checkins_title: "Check-ins",
    checkins_total: "Total",
    checkins_by_hour: "By hour",
    coverage_title: "Coverage gaps",
    coverage_none: "Every report and check-in of the last 30 days lies within 15 minutes of an open station",
    coverage_area: "Area",
    coverage_reports: "Reports",
    coverage_checkins: "Check-ins",
    coverage_nearest: "Nearest open station",
    station_poster: "QR poster",
    notice_notice: "Notice",
    notice_unread: "Unread",
    rewards_title: "Rewards",
    rewards_empty: "Once synced, the county's rewards are listed here.",
    rewards_offline_note: "You can redeem offline: the request is sent when online, and the server confirms it.",
    redeem: "Redeem",
    redeem_cancel: "Cancel",
    redeem_needs_sync: "Sync once online to redeem",
    redeem_failed: "The request could not be saved",
    redemptions_title: "My redemptions",
    redemption_local: "Waiting to sync",
    redemption_processing: "Processing",
    redemption_done: "Redeemed",
    redemption_picked_up: "Picked up",
    redemption_failed: "Not redeemed",
    redemption_refunded: "Not picked up in time: points refunded",
    reason_balance: "not enough points",
    reason_stock: "out of stock",
    reason_unavailable: "no longer offered",
    pickup_code: "Pickup code",
    pickup_title: "Hand over a reward",
    pickup_submit: "Hand over",
    filter_status: "Status",
    filter_all_statuses: "All statuses",
    filter_category: "Category",
    filter_all_categories: "All categories",
    filter_search: "Search notes, places or riders",
    filter_from: "From",
    filter_to: "To",
    export_csv: "Export CSV",
    stats_title: "Stats",
    stats_weeks: "The last 8 weeks, by category",
    stats_week: "Week of",
    stats_received: "Received",
    stats_valid_rate: "Valid",
    stats_median: "Median time to decision",
    stats_points: "Points",
    stats_riders: "Riders by points this month",
    console_keys: "Keys",
    console_key_move: "Next / previous report",
    console_key_help: "Show or hide the keys",
    console_key_duplicate: "Duplicate (then a number picks the earlier report)",
    console_dup_title: "May repeat (press its number, Esc to cancel):",
    console_key_valid: "Valid (points and a note can be changed; Enter confirms)",
    console_key_invalid: "Invalid (then a number picks the reason)",
    console_reject_title: "Reason (press its number, 0 to write one, Esc to cancel):",
    console_points: "Points",
    console_note: "Note",
    console_key_forward: "Forward (then a number picks the department)",
    console_forward_title: "Forward to (press its number, 0 to write one, Esc to cancel):",
    console_own_reason: "Another reason (Enter confirms, Esc cancels)",
    console_own_department: "Another department (Enter confirms, Esc cancels)",
    console_resolve_note: "What was done (optional; Enter confirms, Esc cancels)",
    catalogue_title: "Rewards catalogue",
    catalogue_name: "Name",
    catalogue_price: "Points",
    catalogue_stock: "Stock",
    catalogue_active: "Offered",
    catalogue_withdrawn: "Withdrawn",
    catalogue_change: "Stock change",
    catalogue_add: "Add reward",
    catalogue_save: "Save",
    catalogue_edit: "Edit",
    catalogue_cancel: "Cancel",
    catalogue_picture: "Picture",
    catalogue_picture_busy: "Uploading the picture…",
    catalogue_note: "Changes reach riders at their next sync. The stock takes a change, so redemptions made meanwhile are kept.",
    counter_title: "Reward counter",
    counter_note: "Ask the rider for the 6-digit pickup code and hand the reward over once it is accepted; each code works once.",
    settings_title: "County settings",
    settings_reasons: "Reasons for invalid (one per line, up to 9)",
    settings_departments: "Departments to forward to (one per line, up to 9)",
    settings_awards: "Points for a first valid report",
    settings_share: "Duplicate share (%)",
    settings_save: "Save settings",
    settings_saved: "Saved. Riders' phones get the new awards at their next sync.",
    console_select: "Select",
    console_select_all: "Select all open",
    console_key_select: "Select or unselect (to mark several invalid)",
    batch_invalid: "Mark invalid",
    batch_clear: "Clear selection",
    batch_reason: "Reason",
    filter_rider_only: "Only this rider",
    filter_rider_clear: "Show all riders",
    viewer_title: "Photo",
    viewer_zoom_in: "Zoom in",
    viewer_zoom_out: "Zoom out",
    viewer_fit: "Fit",
    viewer_close: "Close",
    viewer_prev: "Previous",
    viewer_next: "Next",
    viewer_original: "Original",
    filter_all_places: "Anywhere",
    filter_near: "Near station",
    notice_send_title: "Notify riders",
    notice_placeholder: "To every rider of the county, e.g. a heat warning",
    notice_send: "Send",
    notice_confirm: "Send to all riders",
};

thread_local! {
    static LANG: Cell<Lang> = Cell::new(initial_lang());
}

/// The key under which the chosen language is kept on the device.
const LANG_KEY: &str = "nx.lang";

/// The language chosen on this device, else the browser's first known language, else Chinese.
fn initial_lang() -> Lang {
    if let Some(l) = crate::kept::get(LANG_KEY).and_then(|t| Lang::from_tag(&t)) {
        return l;
    }
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Lang::Zh;
    };
    nav.languages()
        .iter()
        .filter_map(|v| v.as_string())
        .chain(nav.language())
        .find_map(|t| Lang::from_tag(&t))
        .unwrap_or_default()
}

/// The language of the interface.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// Makes `l` the language of the interface and keeps it on the device. The caller re-renders
/// (the app does through `Ctx::lang`).
pub fn set_lang(l: Lang) {
    LANG.with(|c| c.set(l));
    crate::kept::set(LANG_KEY, l.tag());
    apply_to_document();
}

/// Sets `<html lang>` and the title to the current language.
pub fn apply_to_document() {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Some(html) = doc.document_element() {
            let _ = html.set_attribute("lang", lang().tag());
        }
        doc.set_title(t().document_title);
    }
}

/// The name of a language, in that language (as language pickers show them).
pub fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Zh => "中文",
        Lang::En => "English",
    }
}

/// The table of the current language.
pub fn t() -> &'static Strings {
    match lang() {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn zh() -> bool {
    lang() == Lang::Zh
}

/// English plural: "1 report", "2 reports".
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", number(n as u64))
    }
}

/// A count with digit grouping in English ("1,234"); plain in Chinese ("1234").
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    if zh() || digits.len() <= 3 {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A category's label in the current language.
pub fn category_label(c: Category) -> &'static str {
    if zh() { c.label_zh() } else { c.label_en() }
}

/// "3 条待发送".
pub fn pending(n: usize) -> String {
    if zh() {
        format!("{n} 条待发送")
    } else {
        format!("{} unsent", number(n as u64))
    }
}

/// "待审核 +35": points of reports not decided yet.
pub fn points_pending(points: i64) -> String {
    if points <= 0 {
        return if zh() {
            "没有待审核的上报"
        } else {
            "Nothing awaiting review"
        }
        .to_owned();
    }
    if zh() {
        format!("待审核 +{}（审核后入账）", number(points.max(0) as u64))
    } else {
        format!("Awaiting review: +{}", number(points.max(0) as u64))
    }
}

/// "2.5 小时": a duration in hours, one decimal.
pub fn hours(h: f64) -> String {
    if zh() {
        format!("{h:.1} 小时")
    } else {
        format!("{h:.1} h")
    }
}

/// "3 条未读": the unread count on the 积分 tab, for screen readers.
pub fn unread(n: usize) -> String {
    if zh() {
        format!("{n} 条未读")
    } else {
        format!("{} unread", number(n as u64))
    }
}

/// Why a redemption failed, from its code.
pub fn redemption_reason(code: &str) -> &'static str {
    let s = t();
    match code {
        "balance" => s.reason_balance,
        "stock" => s.reason_stock,
        _ => s.reason_unavailable,
    }
}

/// "兑换 60 积分": the price on a reward's button.
pub fn redeem_for(price: i64) -> String {
    if zh() {
        format!("{} 积分", number(price.max(0) as u64))
    } else {
        format!("{} points", number(price.max(0) as u64))
    }
}

/// "确认兑换（60 积分）".
pub fn redeem_confirm(price: i64) -> String {
    if zh() {
        format!("确认兑换（{} 积分）", number(price.max(0) as u64))
    } else {
        format!("Confirm ({} points)", number(price.max(0) as u64))
    }
}

/// "剩 12 件".
pub fn stock_left(n: i64) -> String {
    if zh() {
        format!("剩 {} 件", number(n.max(0) as u64))
    } else {
        format!("{} left", number(n.max(0) as u64))
    }
}

/// "有效期至 12月26日".
pub fn valid_until(at_ms: i64) -> String {
    let date = crate::time::short(at_ms as f64);
    if zh() {
        format!("有效期至 {date}")
    } else {
        format!("valid until {date}")
    }
}

/// "已选 3 条".
pub fn selected(n: usize) -> String {
    if zh() {
        format!("已选 {n} 条")
    } else {
        format!("{} selected", number(n as u64))
    }
}

/// "骑手：张师傅".
pub fn rider_filter(name: &str) -> String {
    if zh() {
        format!("骑手：{name}")
    } else {
        format!("Rider: {name}")
    }
}

/// "已发送给 1,024 位骑手".
pub fn notice_sent(n: u64) -> String {
    if zh() {
        format!("已发送给 {} 位骑手", number(n))
    } else {
        format!("Sent to {}", plural(n as usize, "rider", "riders"))
    }
}

/// "1 公里内", "500 米内": the reach of a distance filter.
pub fn within(m: u32) -> String {
    match (zh(), m >= 1000) {
        (true, true) => format!("{} 公里内", m / 1000),
        (true, false) => format!("{m} 米内"),
        (false, true) => format!("within {} km", m / 1000),
        (false, false) => format!("within {m} m"),
    }
}

/// "2 / 3": which photo of how many.
pub fn nth_of(n: usize, of: usize) -> String {
    format!("{n} / {of}")
}

/// "已交付：头盔 · 张师傅（13800000001）".
pub fn handed_over(reward: &str, rider: &str, login: &str) -> String {
    if zh() {
        format!("已交付：{reward} · {rider}（{login}）")
    } else {
        format!("Handed over: {reward} · {rider} ({login})")
    }
}

/// The headline of a redemption's notice: "兑换结果：已兑换 头盔", "兑换结果：未成功（积分不足）",
/// "兑换结果：头盔 逾期未领，积分已退回".
pub fn redemption_headline(notice: &model::office_doc::Notice, name: &str) -> String {
    let s = t();
    let colon = if zh() { "：" } else { ": " };
    let space = if name.is_empty() { "" } else { " " };
    if notice.status == "done" {
        format!(
            "{}{colon}{}{space}{name}",
            s.notice_redemption, s.redemption_done
        )
    } else if notice.status == "refunded" {
        format!(
            "{}{colon}{name}{space}{}",
            s.notice_redemption, s.redemption_refunded
        )
    } else {
        let (open, close) = if zh() { ("（", "）") } else { (" (", ")") };
        format!(
            "{}{colon}{}{space}{name}{open}{}{close}",
            s.notice_redemption,
            s.redemption_failed,
            redemption_reason(&notice.note)
        )
    }
}

/// Where an item of the rider's stands on its way to the server: on the phone, sending, sent.
pub fn delivery_label(d: model::device::Delivery) -> &'static str {
    let s = t();
    match d {
        model::device::Delivery::Local => s.state_local,
        model::device::Delivery::Sending => s.state_sending,
        model::device::Delivery::Received => s.state_received,
    }
}

/// "按离你的距离排序（骑行 15 公里/小时估算）".
pub fn stations_by_distance(kmh: u32) -> String {
    if zh() {
        format!("按离你的距离排序（骑行 {kmh} 公里/小时估算）")
    } else {
        format!("Nearest first (riding at {kmh} km/h)")
    }
}

/// "还有 30 个更远的驿站".
pub fn stations_more(n: usize) -> String {
    if zh() {
        format!("还有 {n} 个更远的驿站")
    } else {
        format!(
            "{} farther away",
            plural(n, "more station", "more stations")
        )
    }
}

/// Where a wish stands, in words ("已上墙").
pub fn wish_status(code: &str) -> &'static str {
    let s = t();
    match code {
        "approved" => s.wish_status_approved,
        "rejected" => s.wish_status_rejected,
        "claimed" => s.wish_status_claimed,
        "fulfilled" => s.wish_status_fulfilled,
        _ => s.wish_status_pending,
    }
}

/// The headline of a notice: "审核结果：有效 +8" (the points only when the report brings some),
/// "微心愿：已认领".
pub fn notice_headline(notice: &model::office_doc::Notice) -> String {
    let s = t();
    let kind = match notice.kind.as_str() {
        "review" => s.notice_review,
        "redemption" => s.notice_redemption,
        "wish" => {
            let colon = if zh() { "：" } else { ": " };
            return format!("{}{colon}{}", s.notice_wish, wish_status(&notice.status));
        }
        _ => s.notice_notice,
    };
    let status = ReviewStatus::from_code(&notice.status).map(status_label);
    let colon = if zh() { "：" } else { ": " };
    match status {
        Some(status) if notice.points > 0 => format!(
            "{kind}{colon}{status} +{}",
            number(notice.points.unsigned_abs())
        ),
        Some(status) => format!("{kind}{colon}{status}"),
        None => kind.to_owned(),
    }
}

/// The warning before logging out with reports the relay does not have yet.
pub fn logout_unsent(n: usize) -> String {
    if zh() {
        format!("有 {n} 条上报尚未发送。退出后它们仍保存在这部手机上，本账号再次登录后会自动发送。")
    } else {
        format!(
            "{} not sent yet. They stay on this phone after you log out and go out when this account logs in again.",
            plural(n, "report is", "reports are")
        )
    }
}

/// "2 张照片待上传".
pub fn photos_left(n: usize) -> String {
    if zh() {
        format!("{n} 张照片待上传")
    } else {
        format!("{} left", plural(n, "photo", "photos"))
    }
}

/// "2 张照片待上传 · 340 KB" (the badge and the outbox are short of room: English is terse).
pub fn photos_pending(n: usize, bytes: u64) -> String {
    format!("{} · {}", photos_left(n), size(bytes))
}

/// "照片拍摄于上报前 30 小时" (or "前 3 天").
pub fn photo_age(hours: i64) -> String {
    match (zh(), hours >= 72) {
        (true, true) => format!("照片拍摄于上报前 {} 天", hours / 24),
        (true, false) => format!("照片拍摄于上报前 {hours} 小时"),
        (false, true) => format!("Photo taken {} days before the report", hours / 24),
        (false, false) => format!("Photo taken {hours} hours before the report"),
    }
}

/// "1.2 公里 · 骑行约 5 分钟": how far a station is, and how long the ride.
pub fn station_away(distance_m: f64, minutes: u32) -> String {
    let far = distance_m >= 1000.0;
    match (zh(), far) {
        (true, true) => format!("{:.1} 公里 · 骑行约 {minutes} 分钟", distance_m / 1000.0),
        (true, false) => format!("{} 米 · 骑行约 {minutes} 分钟", distance_m.round() as u32),
        (false, true) => format!(
            "{:.1} km · about {minutes} min by bike",
            distance_m / 1000.0
        ),
        (false, false) => format!(
            "{} m · about {minutes} min by bike",
            distance_m.round() as u32
        ),
    }
}

/// Where a station stands now, by its weekly hours: "24 小时营业", "营业中 · 22:00 关门",
/// "已关门 · 明天 07:00 开门"; `None` when it gives no weekly hours.
pub fn station_open(openness: model::hours::Openness) -> Option<String> {
    use model::hours::{DAY, Openness};
    let clock = |m: u32| format!("{:02}:{:02}", (m % DAY) / 60, m % 60);
    Some(match (openness, zh()) {
        (Openness::Unknown, _) => return None,
        (Openness::AllDay, true) => "24 小时营业".to_owned(),
        (Openness::AllDay, false) => "Open 24 h".to_owned(),
        (Openness::Until { closes }, true) if closes == DAY => "营业中 · 营业至 24:00".to_owned(),
        (Openness::Until { closes }, false) if closes == DAY => "Open · until midnight".to_owned(),
        (Openness::Until { closes }, true) if closes > DAY => {
            format!("营业中 · 次日 {} 关门", clock(closes))
        }
        (Openness::Until { closes }, false) if closes > DAY => {
            format!("Open · closes {} tomorrow", clock(closes))
        }
        (Openness::Until { closes }, true) => format!("营业中 · {} 关门", clock(closes)),
        (Openness::Until { closes }, false) => format!("Open · closes {}", clock(closes)),
        (Openness::Closed { opens: None }, true) => "暂停营业".to_owned(),
        (Openness::Closed { opens: None }, false) => "Closed for now".to_owned(),
        (
            Openness::Closed {
                opens: Some((days, at)),
            },
            true,
        ) => {
            let day = match days {
                0 => "今天".to_owned(),
                1 => "明天".to_owned(),
                n => format!("{n} 天后"),
            };
            format!("已关门 · {day} {} 开门", clock(at))
        }
        (
            Openness::Closed {
                opens: Some((days, at)),
            },
            false,
        ) => {
            let day = match days {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                n => format!("in {n} days"),
            };
            format!("Closed · opens {} {day}", clock(at))
        }
    })
}

/// A weekday's short name, 0 = Monday: "周一", "Mon".
pub fn weekday(day: usize) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if zh() { ZH[day % 7] } else { EN[day % 7] }
}

/// A station kind code's label ("" when there is none).
pub fn station_kind(code: &str) -> &str {
    let (zh_label, en_label) = match code {
        "aixin" => ("爱心驿站", "Caring station"),
        "nuanxin" => ("暖新驿站", "Nuanxin station"),
        "xiaoge" => ("小哥驿站", "Courier station"),
        "xingkong" => ("星空补给站", "Night supply station"),
        other => return other,
    };
    if zh() { zh_label } else { en_label }
}

/// After an import: "已导入 12 个驿站：骑手下次同步后可见".
pub fn stations_imported(n: usize) -> String {
    if zh() {
        format!("已导入 {n} 个驿站：骑手下次同步后可见")
    } else {
        format!(
            "Imported {}: riders see them after their next sync",
            plural(n, "station", "stations")
        )
    }
}

/// Where the list is ordered from when the rider picked a district.
pub fn stations_from_district(name: &str) -> String {
    if zh() {
        format!("按离{name}中心的距离排序")
    } else {
        format!("Nearest to the centre of {name} first")
    }
}

/// The ring's label on the stations sketch: "骑行 15 分钟".
pub fn minutes_ring(minutes: u32) -> String {
    if zh() {
        format!("骑行 {minutes} 分钟")
    } else {
        format!("{minutes} min by bike")
    }
}

/// Below the sketch: how many stations lie beyond it.
pub fn sketch_outside(n: usize) -> String {
    if zh() {
        format!("另有 {n} 个驿站在图外")
    } else {
        format!(
            "{} beyond the sketch",
            plural(n, "more station", "more stations")
        )
    }
}

/// An alert's title: "高温橙色预警".
pub fn alert_title(kind: &str, level: i64) -> String {
    let cold = kind == "cold";
    if zh() {
        let colour = match level {
            3 => "红色",
            2 => "橙色",
            _ => "黄色",
        };
        format!("{}{colour}预警", if cold { "低温" } else { "高温" })
    } else {
        let colour = match level {
            3 => "Red",
            2 => "Orange",
            _ => "Yellow",
        };
        format!("{colour} {} alert", if cold { "cold" } else { "heat" })
    }
}

/// An alert kind's label, for the console.
pub fn alert_kind(code: &str) -> &str {
    match (code, zh()) {
        ("heat", true) => "高温",
        ("heat", false) => "Heat",
        ("cold", true) => "低温",
        ("cold", false) => "Cold",
        (other, _) => other,
    }
}

/// What leads to the nearest station with relief: "最近的开放空调驿站：".
pub fn alert_refuge(kind: &str) -> &'static str {
    match (kind == "cold", zh()) {
        (false, true) => "最近的开放空调驿站：",
        (true, true) => "最近的开放取暖驿站：",
        (false, false) => "Nearest open station with air conditioning:",
        (true, false) => "Nearest open station with heating:",
    }
}

/// When no open station has the relief.
pub fn alert_no_refuge(kind: &str) -> &'static str {
    match (kind == "cold", zh()) {
        (false, true) => "附近暂无开放的空调驿站，请到阴凉处休息、多喝水。",
        (true, true) => "附近暂无开放的取暖驿站，请注意保暖。",
        (false, false) => {
            "No open station with air conditioning nearby: rest in the shade and drink water."
        }
        (true, false) => "No open station with heating nearby: keep warm.",
    }
}

/// A station status code's label.
pub fn station_status(code: &str) -> &str {
    let (zh_label, en_label) = match code {
        "" | "open" => ("营业", "Open"),
        "paused" => ("暂停营业", "Paused"),
        "closed" => ("已撤销", "Closed for good"),
        other => return other,
    };
    if zh() { zh_label } else { en_label }
}

/// A station host code's label.
pub fn station_host(code: &str) -> &str {
    let (zh_label, en_label) = match code {
        "bank" => ("银行网点", "Bank branch"),
        "post" => ("邮政网点", "Post office"),
        "supermarket" => ("超市", "Supermarket"),
        "petrol" => ("加油站", "Petrol station"),
        "community" => ("社区服务中心", "Community centre"),
        "union" => ("工会服务站", "Trade union post"),
        other => return other,
    };
    if zh() { zh_label } else { en_label }
}

/// One weekday's hours as a rider reads them: "07:00–22:00", "20:00–次日 06:00", "24 小时",
/// "休息"; the text as given when it does not read.
pub fn station_day(text: &str) -> String {
    use model::hours::{DAY, parse_day};
    let s = t();
    let clock = |m: u32| format!("{:02}:{:02}", (m % DAY) / 60, m % 60);
    match parse_day(text) {
        Ok(ranges) if ranges.is_empty() => s.station_closed_day.to_owned(),
        Ok(ranges) if ranges.len() == 1 && ranges[0].start == 0 && ranges[0].end == DAY => {
            s.station_all_day.to_owned()
        }
        Ok(ranges) => ranges
            .iter()
            .map(|r| {
                let end = match (r.end > DAY, zh()) {
                    (true, true) => format!("次日 {}", clock(r.end)),
                    (true, false) => format!("{} next day", clock(r.end)),
                    (false, _) if r.end == DAY => "24:00".to_owned(),
                    (false, _) => clock(r.end),
                };
                format!("{}–{end}", clock(r.start))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => text.to_owned(),
    }
}

/// A station facility code's label.
pub fn facility_label(code: &str) -> &str {
    let (zh_label, en_label) = match code {
        "water" => ("饮水", "Water"),
        "charging" => ("充电", "Charging"),
        "microwave" => ("微波炉", "Microwave"),
        "first_aid" => ("急救包", "First aid"),
        "toilet" => ("卫生间", "Toilet"),
        "battery_swap" => ("换电", "Battery swap"),
        "air_conditioning" => ("空调", "Air conditioning"),
        "heating" => ("取暖", "Heating"),
        other => return other,
    };
    if zh() { zh_label } else { en_label }
}

/// A byte count for people: "340 KB", "1.2 MB".
pub fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", number(bytes.div_ceil(1024)))
    }
}

/// "共 12 条".
pub fn total(n: usize) -> String {
    if zh() {
        format!("共 {n} 条")
    } else {
        plural(n, "report", "reports")
    }
}

/// "已定位 · 精度 ±12 米".
pub fn located(accuracy_m: f64) -> String {
    if zh() {
        format!("已定位 · 精度 {}", accuracy(accuracy_m))
    } else {
        format!("Located · {}", accuracy(accuracy_m))
    }
}

/// "12 秒前", "3 分钟前": how old a location fix is.
pub fn ago(seconds: u64) -> String {
    match (zh(), seconds) {
        (true, 0..=4) => "刚刚".to_owned(),
        (true, 5..=59) => format!("{seconds} 秒前"),
        (true, 60..=3599) => format!("{} 分钟前", seconds / 60),
        (true, _) => format!("{} 小时前", seconds / 3600),
        (false, 0..=4) => "just now".to_owned(),
        (false, 5..=59) => format!("{seconds} s ago"),
        (false, 60..=3599) => format!("{} min ago", seconds / 60),
        (false, _) => format!("{} h ago", seconds / 3600),
    }
}

/// The refusal of a fix too old to use.
pub fn fix_stale(seconds: u64) -> String {
    if zh() {
        format!(
            "位置是{}获取的，可能已不准。请重新获取，或确认仍在此处",
            ago(seconds)
        )
    } else {
        format!(
            "This location is from {}; it may be off. Get it again, or confirm you are still there",
            ago(seconds)
        )
    }
}

/// The warning for a location outside the rider's county.
pub fn outside_county(county: &str) -> String {
    if zh() {
        format!("此位置不在{county}范围内，请确认位置无误")
    } else {
        format!("This location is outside {county}: check that it is right")
    }
}

/// The message when more photos were chosen than a report may carry.
pub fn photos_over_limit(max: usize, left_out: usize) -> String {
    if zh() {
        format!("每条上报最多 {max} 张照片，另外 {left_out} 张没有添加")
    } else {
        format!(
            "A report carries at most {max} photos; {} not added",
            plural(left_out, "was", "were")
        )
    }
}

/// "±12 米".
pub fn accuracy(accuracy_m: f64) -> String {
    let m = number(accuracy_m.round().max(0.0) as u64);
    if zh() {
        format!("±{m} 米")
    } else {
        format!("±{m} m")
    }
}

/// The label of a report status.
pub fn status_label(status: ReviewStatus) -> &'static str {
    status.label(lang())
}

/// The label of a role.
pub fn role_label(role: Role) -> &'static str {
    let s = t();
    match role {
        Role::Rider => s.role_rider,
        Role::Supervisor => s.role_supervisor,
        Role::Admin => s.role_admin,
        Role::Station => s.role_station,
    }
}

/// A problem found by validation, as a sentence for the rider.
pub fn problem(p: &model::validate::Problem) -> String {
    use model::validate::{MAX_NOTE_CHARS, MAX_PLACE_CHARS, Problem};
    let zh = zh();
    match p {
        Problem::NoteTooLong(_) if zh => format!("补充说明最多 {MAX_NOTE_CHARS} 字"),
        Problem::NoteTooLong(_) => format!("A note has at most {MAX_NOTE_CHARS} characters"),
        Problem::PlaceTooLong(_) if zh => format!("地点描述最多 {MAX_PLACE_CHARS} 字"),
        Problem::PlaceTooLong(_) => format!("A place has at most {MAX_PLACE_CHARS} characters"),
        Problem::LatitudeOutOfRange if zh => "纬度应在 -90 到 90 之间".to_owned(),
        Problem::LatitudeOutOfRange => "Latitude lies between -90 and 90".to_owned(),
        Problem::LongitudeOutOfRange if zh => "经度应在 -180 到 180 之间".to_owned(),
        Problem::LongitudeOutOfRange => "Longitude lies between -180 and 180".to_owned(),
        Problem::BadTime if zh => "手机时间不正确，请校准后再提交".to_owned(),
        Problem::BadTime => "The phone's clock is wrong: set it, then submit".to_owned(),
        Problem::NullIsland if zh => {
            "经纬度不能都是 0，请重新获取位置或填写正确的经纬度".to_owned()
        }
        Problem::NullIsland => {
            "Latitude and longitude cannot both be 0: get the location again or correct it"
                .to_owned()
        }
        Problem::UnknownCategory(_) => t().form_need_category.to_owned(),
        Problem::BadText(field) if zh => format!(
            "{}中有不允许的控制字符或方向字符，请删去",
            if *field == "place" {
                "地点描述"
            } else {
                "补充说明"
            }
        ),
        Problem::BadText(field) => {
            format!("The {field} holds a control or direction character: remove it")
        }
        other if zh => format!("上报内容有误：{other}"),
        other => format!("The report is not valid: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of a table, as (name, text), by its Debug form.
    fn fields(s: &Strings) -> Vec<(String, String)> {
        let text = format!("{s:#?}");
        text.lines()
            .filter_map(|l| {
                let (k, v) = l.trim().split_once(": ")?;
                Some((k.to_owned(), v.trim_end_matches(',').to_owned()))
            })
            .collect()
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| {
            ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
        })
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn dates_follow_the_language() {
        use crate::time::format_date;
        assert_eq!(
            format_date(Lang::Zh, (2026, 7, 3), (14, 5), true),
            "7月3日 14:05"
        );
        assert_eq!(
            format_date(Lang::Zh, (2025, 12, 31), (9, 0), false),
            "2025年12月31日 09:00"
        );
        assert_eq!(
            format_date(Lang::En, (2026, 7, 3), (14, 5), true),
            "3 Jul 14:05"
        );
        assert_eq!(
            format_date(Lang::En, (2025, 12, 31), (9, 0), false),
            "31 Dec 2025 09:00"
        );
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_english_table_is_complete_and_english() {
        let (zh_fields, en_fields) = (fields(&ZH), fields(&EN));
        assert_eq!(zh_fields.len(), en_fields.len());
        for ((k, zh_text), (_, en_text)) in zh_fields.iter().zip(&en_fields) {
            assert!(en_text.len() > 2, "{k} is empty in English");
            assert!(!has_cjk(en_text), "{k} is not English: {en_text}");
            assert!(
                has_cjk(zh_text) || k == "note_separator",
                "{k} is not Chinese: {zh_text}"
            );
        }
    }
}
