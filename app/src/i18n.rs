//! Every user-visible string of the app, in one place.
//!
//! The UI is Chinese (zh-CN) today. English is a planned option: it will add a second
//! [`Strings`] table and a language signal, and [`t`] will pick the table, so no page has to
//! change when it comes.

use model::Category;

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
    pub coming_soon: &'static str,
    pub coming_soon_hint: &'static str,
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
    pub status_new: &'static str,
    pub status_valid: &'static str,
    pub status_invalid: &'static str,
    pub status_duplicate: &'static str,
    pub status_forwarded: &'static str,
    pub status_resolved: &'static str,
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
    coming_soon: "即将开放",
    coming_soon_hint: "此功能正在建设中，敬请期待。",
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
    status_new: "待处理",
    status_valid: "有效",
    status_invalid: "无效",
    status_duplicate: "重复",
    status_forwarded: "已转办",
    status_resolved: "已解决",
};

/// The table of the current language.
pub fn t() -> &'static Strings {
    &ZH
}

/// A category's label in the current language.
pub fn category_label(c: Category) -> &'static str {
    c.label_zh()
}

/// A stored category code's label, or the code itself when this version does not know it.
pub fn category_code_label(code: &str) -> String {
    Category::from_code(code).map_or_else(|| code.to_owned(), |c| category_label(c).to_owned())
}

/// "3 条待发送".
pub fn pending(n: usize) -> String {
    format!("{n} 条待发送")
}

/// The warning before logging out with reports the relay does not have yet.
pub fn logout_unsent(n: usize) -> String {
    format!("有 {n} 条上报尚未发送。退出后它们仍保存在这部手机上，本账号再次登录后会自动发送。")
}

/// "2 张照片待上传".
pub fn photos_left(n: usize) -> String {
    format!("{n} 张照片待上传")
}

/// "2 张照片待上传 · 340 KB".
pub fn photos_pending(n: usize, bytes: u64) -> String {
    format!("{n} 张照片待上传 · {}", size(bytes))
}

/// "照片拍摄于上报前 30 小时" (or "前 3 天").
pub fn photo_age(hours: i64) -> String {
    if hours >= 72 {
        format!("照片拍摄于上报前 {} 天", hours / 24)
    } else {
        format!("照片拍摄于上报前 {hours} 小时")
    }
}

/// A station facility code's label.
pub fn facility_label(code: &str) -> &str {
    match code {
        "water" => "饮水",
        "charging" => "充电",
        "microwave" => "微波炉",
        "first_aid" => "急救包",
        "toilet" => "卫生间",
        "battery_swap" => "换电",
        other => other,
    }
}

/// A byte count for people: "340 KB", "1.2 MB".
pub fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// "共 12 条".
pub fn total(n: usize) -> String {
    format!("共 {n} 条")
}

/// "已定位 · 精度 ±12 米".
pub fn located(accuracy_m: f64) -> String {
    format!("已定位 · 精度 ±{} 米", accuracy_m.round())
}

/// "12 秒前", "3 分钟前": how old a location fix is.
pub fn ago(seconds: u64) -> String {
    match seconds {
        0..=4 => "刚刚".to_owned(),
        5..=59 => format!("{seconds} 秒前"),
        60..=3599 => format!("{} 分钟前", seconds / 60),
        _ => format!("{} 小时前", seconds / 3600),
    }
}

/// The refusal of a fix too old to use.
pub fn fix_stale(seconds: u64) -> String {
    format!(
        "位置是{}获取的，可能已不准。请重新获取，或确认仍在此处",
        ago(seconds)
    )
}

/// The warning for a location outside the rider's county.
pub fn outside_county(county: &str) -> String {
    format!("此位置不在{county}范围内，请确认位置无误")
}

/// The message when more photos were chosen than a report may carry.
pub fn photos_over_limit(max: usize, left_out: usize) -> String {
    format!("每条上报最多 {max} 张照片，另外 {left_out} 张没有添加")
}

/// "±12 米".
pub fn accuracy(accuracy_m: f64) -> String {
    format!("±{} 米", accuracy_m.round())
}

/// The label of a report status code from the server.
pub fn status_label(code: &str) -> &str {
    let s = t();
    match code {
        "new" => s.status_new,
        "valid" => s.status_valid,
        "invalid" => s.status_invalid,
        "duplicate" => s.status_duplicate,
        "forwarded" => s.status_forwarded,
        "resolved" => s.status_resolved,
        other => other,
    }
}

/// The label of a role code.
pub fn role_label(code: &str) -> &str {
    let s = t();
    match code {
        "rider" => s.role_rider,
        "supervisor" => s.role_supervisor,
        "admin" => s.role_admin,
        other => other,
    }
}

/// A problem found by validation, as a sentence for the rider.
pub fn problem(p: &model::validate::Problem) -> String {
    use model::validate::{MAX_NOTE_CHARS, MAX_PLACE_CHARS, Problem};
    match p {
        Problem::NoteTooLong(_) => format!("补充说明最多 {MAX_NOTE_CHARS} 字"),
        Problem::PlaceTooLong(_) => format!("地点描述最多 {MAX_PLACE_CHARS} 字"),
        Problem::LatitudeOutOfRange => "纬度应在 -90 到 90 之间".to_owned(),
        Problem::LongitudeOutOfRange => "经度应在 -180 到 180 之间".to_owned(),
        Problem::BadTime => "手机时间不正确，请校准后再提交".to_owned(),
        Problem::NullIsland => "经纬度不能都是 0，请重新获取位置或填写正确的经纬度".to_owned(),
        Problem::UnknownCategory(_) => t().form_need_category.to_owned(),
        other => format!("上报内容有误：{other}"),
    }
}
