package incidents

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The demo's texts are what reporters and staff write: a place, a time of day and what they saw, in a
// few words each, so a list of demo cases reads like a real one and not like its category repeated.

// demoScenes are what a reporter saw, by 小类 (one without its own says its name in a sentence).
var demoScenes = map[string][]string{
	"01-01": {"垃圾袋堆在路边没人清运，气味很大", "垃圾桶满溢，塑料袋散落一地", "绿化带里扔了不少生活垃圾"},
	"01-02": {"墙角堆积建筑渣土，已经好几天了", "拆迁后的渣土一直没清走，下雨全是泥"},
	"01-03": {"路面油污和菜叶很多，行人容易滑倒", "早市散场后地面满是果皮纸屑", "人行道上泥浆一片，没有清扫"},
	"01-04": {"沟渠水面漂着泡沫和塑料瓶", "河边水面有油花，味道难闻"},
	"01-05": {"绿地里杂草丛生，还有人扔烟头纸屑", "草坪被踩秃了，散落着外卖盒"},
	"01-06": {"一辆无牌旧面包车停了几个月没人动", "路边废弃电动车锈得不成样子，占着车位"},
	"01-07": {"旧沙发和床垫扔在楼道口", "废旧冰箱、洗衣机堆在路边"},
	"01-08": {"行道树上挂满了晾晒的衣物", "树上拉了绳子挂广告布"},
	"01-09": {"商户在门前私自搭了铁皮棚", "楼顶新搭了彩钢房，邻居有意见"},
	"01-10": {"店主在路沿石上私自浇了水泥坡道", "门口违章接坡，雨水排不出去"},
	"01-11": {"一楼住户扩建院墙，占了公共通道", "有人在空地上打地基盖房"},
	"01-12": {"有人在空地焚烧垃圾和树叶，浓烟很大", "清晨有人烧落叶，整条街都是烟"},
	"01-13": {"饭店排烟管直接对着居民楼，油烟呛人", "烧烤店没装油烟净化器，楼上开不了窗"},
	"02-01": {"电线杆和墙上贴满了小广告", "有人在墙上喷涂办证电话", "楼道里贴满了开锁通下水道的小广告"},
	"02-02": {"门店外挂了大幅横幅，没有审批", "路灯杆上挂满了促销彩旗"},
	"02-03": {"楼顶新装了大型广告牌，没有审批", "路边立了一块落地广告牌，挡住了视线"},
	"02-05": {"店铺招牌破损一半挂着，随时可能掉下来", "新开的店把招牌做得超出了外墙"},
	"02-04": {"有人在路口拦人发传单，传单扔得满地", "几个年轻人在人行道上散发装修广告"},
	"02-06": {"广告车开着大喇叭来回转", "一辆三轮车载着广告牌停在路口"},
	"03-01": {"工地夜间施工，噪声吵得睡不着", "凌晨还在打桩，附近居民无法休息"},
	"03-03": {"渣土车出场没冲洗，路面全是泥印", "运输车沿路撒落砂石"},
	"03-04": {"工地围挡破损，废弃建材散落到路面", "装修废料堆在施工围挡外"},
	"03-06": {"有人在路边开挖沟槽，没有看到施工许可", "人行道被挖开铺管，没有围挡"},
	"03-02": {"工地没有覆盖防尘网，风一吹尘土飞扬", "拆除作业没有洒水，扬尘很大"},
	"03-05": {"施工材料堆到人行道上，行人只能走机动车道", "施工围挡占了半幅路面，没有警示标志"},
	"03-07": {"路面坑洼，电动车经过容易摔倒", "人行道砖松动翘起，已经有老人绊倒"},
	"04-01": {"路面突然塌陷出一个坑，车辆绕行", "人行道下沉开裂，出现空洞"},
	"04-04": {"下水道冒水，路面积了一大片", "雨水井堵塞，污水漫到路面"},
	"04-06": {"井盖不见了，晚上很危险", "窨井盖破损塌陷，只剩半块"},
	"04-07": {"桥面结冰，已有电动车滑倒", "背阴路段积雪结冰，行人容易摔倒"},
	"04-02": {"地下水管爆裂，水一直往外冒", "路边水管漏水，整条路都湿了"},
	"04-03": {"闻到很浓的煤气味，担心泄漏", "餐馆后门有燃气味，已提醒店主关阀"},
	"04-05": {"一下雨路口就积水，水深没过脚踝", "地下通道积水，行人无法通过"},
	"04-08": {"电缆垂下来挂到了行人头顶", "线缆被车刮断，耷拉在路边"},
	"04-09": {"垃圾堆起火冒烟，火势不大", "店铺门口的电动车着火，已有人用灭火器扑救"},
	"05-01": {"有人无证摆摊卖水果和小吃", "游商推车卖烤红薯，堵在路口"},
	"05-02": {"摊贩占道经营，堵塞人行道", "早市摊位摆到了马路上，车辆难以通行", "菜贩把摊子摆到盲道上", "夜市摊位越界，占了一半车道"},
	"05-03": {"店家把货架摆到门外，人行道只剩一人宽", "餐馆在门外摆桌椅招揽客人", "水果店把货摊摆出店外两米多"},
	"05-04": {"流动商贩推车叫卖，走走停停堵住通道", "三轮车贩子在公交站旁卖菜"},
	"05-05": {"机动车停在人行道上，行人只能绕到车道", "货车长时间停在消防通道口", "路口两侧乱停车，公交车过不去"},
	"05-06": {"共享单车堆满了人行道", "电动车乱停，挡住了店铺和盲道"},
	"05-07": {"商户把纸箱、泡沫箱堆在路边", "装修材料堆在楼道口好几天了", "摊主收摊后货筐还堆在人行道上"},
	"05-08": {"露天烧烤摆到了路边，烟熏火燎", "夜里在路边烧烤，炭火和油烟很大"},
	"05-09": {"废品收购点把废纸板堆到了路上", "收废品的三轮车长期占用路口"},
	"05-10": {"有人在车站出口招揽乘客拉黑车", "黑摩的在路口排队拉客"},
	"05-11": {"有人在人行天桥上乞讨", "街头卖艺音响开得很大，围了不少人"},
	"06-01": {"有人夜里往路边空地倒垃圾", "装修垃圾被偷倒在河边"},
	"06-02": {"饭店把泔水倒进雨水井", "餐厨垃圾桶没盖，汤水流了一地"},
	"06-03": {"居民在楼下空地养鸡，气味很大", "有人在小区绿地里养鸭子"},
	"06-04": {"广场舞音响开到很晚，吵得睡不着", "店铺用大喇叭循环叫卖", "夜里有人在楼下装卸货物，噪声很大"},
	"06-05": {"绿化带被人砍了几棵树", "有人在草坪上种菜，毁了绿化"},
	"06-06": {"消防通道被私家车堵死", "楼道里堆满杂物，消防通道不通"},
	"06-07": {"无证食品摊点在路边卖凉菜，没有防尘措施", "流动早餐车卫生条件差，没有健康证"},
}

var (
	// demoSpots say where at the place.
	demoSpots = []string{"东门", "西门", "南侧入口", "北侧通道", "门口", "旁边的人行道上", "停车场边", "公交站附近", "十字路口", "后面的巷子里"}
	// demoTails are what reporters often add.
	demoTails = []string{"", "", "", "，请尽快处理", "，已经反映过好几次", "，影响周边居民出行", "，希望有人管一管", "，存在安全隐患"}

	demoNotes = map[Status][]string{
		InProgress:       {"现场劝导", "到场核实，情况属实，正在处理", "现场劝导，责令当日整改", "已联系责任人，限期整改", "网格员到场查看，已拍照取证"},
		Escalated:        {"劝导无效，上报街长", "多次劝导无效，责任人拒不整改，上报街道", "超出社区处置能力，提请街长协调"},
		JointEnforcement: {"联合执法", "会同相关部门联合执法，当场责令改正", "联合执法，依法暂扣占道物品", "联系职能部门到场，联合整治"},
		Resolved:         {"已整改", "已整改到位，现场恢复整洁", "责任人已按要求整改", "已清理完毕，通道恢复畅通", "已处置完毕，现场恢复正常"},
		Rejected:         {"不属于街长制管辖范围", "经核实为小区物业管理区域，已告知物业处理", "现场未发现所述问题"},
	}
	demoChecks   = []string{"现场核查，已整改", "复查确认整改到位", "回访核查，问题未反弹", "现场复查，秩序良好"}
	demoFailures = []string{"核查未通过：问题仍在，返工", "复查发现问题反弹，返工", "核查未通过：现场未清理干净，返工"}
)

// demoDescription writes what a reporter at place (an area's name, "" for none) saw at the hour.
func demoDescription(rng *rand.Rand, c Category, place string, hour int) string {
	scenes := demoScenes[c.Code]
	if scenes == nil {
		scenes = []string{"发现" + c.NameZh + "问题，影响周边环境"}
	}
	if strings.ContainsFunc(place, func(r rune) bool { return r < 0x80 }) {
		place = "" // a name not in Chinese would read oddly in a Chinese sentence
	}
	where := pick(rng, demoSpots)
	if place != "" {
		where = place + where
	}
	return dayPart(hour) + "，" + where + pick(rng, scenes) + pick(rng, demoTails) + "。"
}

// dayPart names the part of the day of a report at hour.
func dayPart(hour int) string {
	switch {
	case hour < 9:
		return "早上"
	case hour < 12:
		return "上午"
	case hour < 14:
		return "中午"
	case hour < 18:
		return "下午"
	case hour < 21:
		return "傍晚"
	}
	return "夜里"
}

// demoNote is a staff note on the move to status.
func demoNote(rng *rand.Rand, to Status) string {
	if ns := demoNotes[to]; ns != nil {
		return pick(rng, ns)
	}
	return ""
}

// joint says which departments enforce jointly in the demo: urban management always, and often one
// more whose liaison stands in the subdistrict, so the demo's liaisons find cases of theirs.
type joint struct {
	urban    []int64
	liaisons map[int64][]int64 // subdistrict → departments with a current liaison there
}

func (j joint) departments(rng *rand.Rand, subdistrict int64) []int64 {
	out := slices.Clone(j.urban)
	if ds := j.liaisons[subdistrict]; len(ds) > 0 && rng.IntN(10) < 7 {
		if d := ds[rng.IntN(len(ds))]; !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// liaisonDepartments reads, per subdistrict, the departments with a current liaison there, in order.
func liaisonDepartments(ctx context.Context, pool *pgxpool.Pool) (map[int64][]int64, error) {
	rows, err := pool.Query(ctx, `SELECT DISTINCT subdistrict_id, department_id FROM post_coverage
		WHERE role = 'department_liaison' AND community_id IS NULL AND department_id IS NOT NULL AND valid @> now()
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("demo liaisons: %w", err)
	}
	out := map[int64][]int64{}
	var sub, dept int64
	if _, err := pgx.ForEachRow(rows, []any{&sub, &dept}, func() error { out[sub] = append(out[sub], dept); return nil }); err != nil {
		return nil, fmt.Errorf("demo liaisons: %w", err)
	}
	return out, nil
}
